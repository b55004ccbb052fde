// The keys of preprocessor_config.json exactly as written (snake_case, every one optional);
// ImageProcessorConfig fills the gaps with the class defaults. Unknown keys are ignored, as
// transformers ignores them.
import Foundation

struct RawPreprocessorConfig: Decodable {
    var image_processor_type: String?
    var feature_extractor_type: String?
    var do_resize: Bool?
    var size: SizeValue?
    var default_to_square: Bool?
    var resample: Int?
    var do_center_crop: Bool?
    var crop_size: SizeValue?
    var do_rescale: Bool?
    var rescale: Bool?
    var rescale_factor: Double?
    var do_normalize: Bool?
    var image_mean: ChannelValues?
    var image_std: ChannelValues?

    /// A decoding error as a short phrase naming the key.
    static func explain(_ error: Error) -> String {
        switch error {
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
             let DecodingError.keyNotFound(_, context), let DecodingError.dataCorrupted(context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

/// `size` / `crop_size`: an int, a [height, width] list, or a dict with `shortest_edge`
/// (optionally `longest_edge`) or `height` and `width`.
enum SizeValue: Decodable {
    case int(Int)
    case list([Int])
    case dict([String: Int])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let n = try? container.decode(Int.self) { self = .int(n); return }
        if let list = try? container.decode([Int].self) { self = .list(list); return }
        if let dict = try? container.decode([String: Int?].self) {
            self = .dict(dict.compactMapValues { $0 })
            return
        }
        throw DecodingError.typeMismatch(SizeValue.self, .init(
            codingPath: decoder.codingPath,
            debugDescription: "expected an int, a [height, width] list or a dict of ints"))
    }

    /// get_size_dict: an int is a square when `square`, else a shortest edge.
    func resizeTarget(square: Bool, key: String, source: String) throws -> ResizeTarget {
        switch self {
        case let .int(n):
            return square ? .exact(height: n, width: n) : .shortestEdge(n, longestEdge: nil)
        case let .list(list) where list.count == 2:
            return .exact(height: list[0], width: list[1])
        case let .list(list) where list.count == 1:
            return try SizeValue.int(list[0]).resizeTarget(square: square, key: key, source: source)
        case .list:
            throw ImagePreprocessingError("\(source): \(key) as a list must have 1 or 2 elements.")
        case let .dict(d):
            if let h = d["height"], let w = d["width"] { return .exact(height: h, width: w) }
            if let s = d["shortest_edge"] { return .shortestEdge(s, longestEdge: d["longest_edge"]) }
            let keys = d.keys.sorted().joined(separator: ", ")
            throw ImagePreprocessingError("\(source): \(key) with keys {\(keys)} is not supported; use {height, width} or {shortest_edge} (optionally with longest_edge).")
        }
    }
}

/// `image_mean` / `image_std`: one number for every channel, or one per RGB channel.
enum ChannelValues: Decodable {
    case one(Double)
    case each([Double])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let x = try? container.decode(Double.self) { self = .one(x); return }
        self = .each(try container.decode([Double].self))
    }

    func perChannel(key: String, source: String) throws -> [Double] {
        switch self {
        case let .one(x): return [x, x, x]
        case let .each(values):
            guard values.count == 3 else {
                throw ImagePreprocessingError("\(source): \(key) has \(values.count) values; RGB images need 3.")
            }
            return values
        }
    }
}
