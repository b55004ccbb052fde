// swift-tools-version:6.1
// ClipStream: a Swift-native streaming processor for CLIP-family vision models over video.
// Data flows one way: Media -> Pipeline <- Models <- Tensor (see ../shared/DESIGN.md).
import PackageDescription

let package = Package(
    name: "ClipStream",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "clipstream", targets: ["clipstream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        // The MQTT client the mqtt event sink and `clipstream deliver` publish through.
        .systemLibrary(
            name: "CMosquitto", path: "Sources/CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        // The bfloat16 GEMM kernel (AVX512-BF16 intrinsics Swift cannot emit); see Precision.
        .target(name: "CBFloat16"),
        // oneDNN's C API (Debian's libdnnl-dev ships no pkg-config file; its headers are on the
        // default path) and the small shim that builds a matmul per linear layer against 2.x or 3.x.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(name: "CDNNLShim", dependencies: ["CDNNL"],
                linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(name: "Tensor", dependencies: ["COpenBLAS", "CBFloat16", "CDNNLShim"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .target(name: "Models", dependencies: ["Tensor"]),
        .target(name: "Media", dependencies: ["CFFmpeg"]),
        .target(name: "Pipeline", dependencies: ["Media", "Models", "Tensor", "CMosquitto",
                                                 .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "clipstream",
            dependencies: ["Pipeline", "Models", "Media", "Tensor",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Fixture paths and tolerance helpers shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tensor", "TestSupport"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "TestSupport"]),
        // Runs the built binary end to end; depending on it makes `swift test` build it first.
        .testTarget(name: "CLITests", dependencies: ["clipstream", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
