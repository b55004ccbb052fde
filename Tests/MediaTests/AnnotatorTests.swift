import Foundation
@testable import Media
import Testing
import TestSupport

func solidFrame(width: Int, height: Int, gray: UInt8) -> VideoFrame {
    VideoFrame(width: width, height: height, rgb: [UInt8](repeating: gray, count: width * height * 3))
}

func isColor(_ frame: VideoFrame, _ x: Int, _ y: Int, _ c: RGBColor) -> Bool {
    let p = frame.rgb(x: x, y: y)
    return p.r == c.r && p.g == c.g && p.b == c.b
}

@Suite struct AnnotatorTests {
    @Test func fnvHashMatchesPublishedVectors() {
        #expect(fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func labelColoursAreStableAndDistinct() {
        #expect(RGBColor.forLabel("cat") == RGBColor.forLabel("cat"))
        let labels = ["cat", "dog", "red circle", "blue square", "car", "person"]
        #expect(Set(labels.map { RGBColor.forLabel($0).description }).count == labels.count)
        #expect(RGBColor.fromHSV(hue: 0, saturation: 1, value: 1) == RGBColor(r: 255, g: 0, b: 0))
        #expect(RGBColor.fromHSV(hue: 240, saturation: 1, value: 1) == RGBColor(r: 0, g: 0, b: 255))
    }

    @Test func segmentsCoverEveryStepAndStayInTheFrame() {
        let frame = solidFrame(width: 40, height: 30, gray: 0)
        let red = RGBColor(r: 255, g: 0, b: 0)
        // From (5, 5) to (25, 15): one pixel per column, y = 5 + (x - 5) / 2 rounded.
        Annotator(lineWidth: 1).drawSegment(on: frame, x0: 5, y0: 5, x1: 25, y1: 15, color: red)
        #expect(isColor(frame, 5, 5, red) && isColor(frame, 15, 10, red) && isColor(frame, 25, 15, red))
        #expect(isColor(frame, 15, 12, .black) && isColor(frame, 4, 5, .black) && isColor(frame, 26, 15, .black))
        // Beyond the frame it is clipped, not a crash.
        Annotator(lineWidth: 3).drawSegment(on: frame, x0: -10, y0: 29, x1: 60, y1: 29, color: red)
        #expect(isColor(frame, 0, 29, red) && isColor(frame, 39, 29, red))
    }

    @Test func boxOutlineAndTagAreDrawnWhereExpected() {
        let frame = solidFrame(width: 100, height: 80, gray: 0)
        let color = RGBColor.forLabel("cat")
        Annotator(lineWidth: 2, textScale: 1).drawBox(on: frame, x0: 20, y0: 30, x1: 60, y1: 70, label: "cat", score: 0.9)
        // Left and right edges, 2 px thick; the inside is untouched.
        #expect(isColor(frame, 20, 50, color) && isColor(frame, 21, 50, color))
        #expect(isColor(frame, 22, 50, .black))
        #expect(isColor(frame, 58, 50, color) && isColor(frame, 59, 50, color) && isColor(frame, 60, 50, .black))
        #expect(isColor(frame, 40, 69, color) && isColor(frame, 40, 70, .black))
        #expect(isColor(frame, 40, 50, .black))
        // The tag sits above the box: 9 px high, (8 chars "cat 0.90" * 6 + 1) px wide.
        #expect(isColor(frame, 20, 21, color) && isColor(frame, 68, 29, color))
        #expect(isColor(frame, 20, 20, .black) && isColor(frame, 69, 22, .black))
        // Glyph 'c' row 2 is ".###.": ink at columns 1...3 of the glyph cell at (21, 22).
        let ink: RGBColor = color.luma > 140 ? .black : .white
        let glyphRow = 22 + 2
        #expect(isColor(frame, 21, glyphRow, color))
        #expect(isColor(frame, 22, glyphRow, ink) && isColor(frame, 23, glyphRow, ink) && isColor(frame, 24, glyphRow, ink))
        #expect(isColor(frame, 25, glyphRow, color))
    }

    @Test func tagOfABoxAtTheRightEdgeStaysInTheFrame() {
        let frame = solidFrame(width: 100, height: 80, gray: 0)
        let color = RGBColor.forLabel("blue square")
        // "blue square 0.90" is 16 * 6 + 1 = 97 px wide: it must end at x = 99, so start at 3.
        Annotator(lineWidth: 1, textScale: 1).drawBox(on: frame, x0: 80, y0: 40, x1: 100, y1: 60,
                                                      label: "blue square", score: 0.9)
        #expect(isColor(frame, 3, 31, color) && isColor(frame, 99, 31, color))
        #expect(isColor(frame, 2, 31, .black))
        #expect(isColor(frame, 80, 50, color), "the box itself stays where it is")
    }

    @Test func boxesOutsideTheFrameAreClipped() {
        let frame = solidFrame(width: 16, height: 16, gray: 9)
        let annotator = Annotator()
        annotator.drawBox(on: frame, x0: -50, y0: -50, x1: 500, y1: 500, label: "big", score: 1)
        annotator.drawBox(on: frame, x0: 30, y0: 30, x1: 40, y1: 40, label: "outside")
        annotator.drawBox(on: frame, x0: 5, y0: 5, x1: 5, y1: 5, label: "empty")
        #expect(frame.rgb(x: 8, y: 8) == (9, 9, 9))
    }

    @Test func maskBlendsOnlyWhereAboveThreshold() {
        let frame = solidFrame(width: 4, height: 4, gray: 100)
        var annotator = Annotator()
        annotator.maskOpacity = 0.5
        // A 2x2 mask stretched over 4x4: top-left and bottom-right quadrants are on.
        annotator.drawMask(on: frame, mask: [0.9, 0.1, 0.2, 0.5], width: 2, height: 2, threshold: 0.5, label: "sky")
        let c = RGBColor.forLabel("sky")
        func half(_ v: UInt8) -> UInt8 { UInt8((100 * 128 + Int(v) * 128 + 128) >> 8) }
        for (x, y) in [(0, 0), (1, 1), (2, 2), (3, 3), (3, 2)] {
            #expect(frame.rgb(x: x, y: y) == (half(c.r), half(c.g), half(c.b)), "(\(x), \(y))")
        }
        for (x, y) in [(2, 0), (3, 1), (0, 2), (1, 3)] { #expect(frame.rgb(x: x, y: y) == (100, 100, 100)) }
    }

    @Test func captionDrawsWhiteGlyphsOnADarkenedBand() {
        let frame = solidFrame(width: 60, height: 30, gray: 200)
        Annotator(textScale: 1).drawCaption(on: frame, "Hi")
        // 'H' row 0 is "#...#": ink at glyph columns 0 and 4; the band darkens the rest.
        #expect(frame.rgb(x: 2, y: 2) == (255, 255, 255) && frame.rgb(x: 6, y: 2) == (255, 255, 255))
        #expect(frame.rgb(x: 3, y: 2).r < 200)
        #expect(frame.rgb(x: 30, y: 25) == (200, 200, 200), "below the band is untouched")
    }

    @Test func everyPrintableCharacterHasAGlyph() {
        #expect(BitmapFont.rows.count == 95 * 7)
        #expect(BitmapFont.glyph(UInt8(ascii: "A")) != BitmapFont.glyph(UInt8(ascii: "B")))
        #expect(BitmapFont.glyph(200) == BitmapFont.glyph(UInt8(ascii: "?")))
        #expect(BitmapFont.glyph(UInt8(ascii: " ")).allSatisfy { $0 == 0 })
    }
}
