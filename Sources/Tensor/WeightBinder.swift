// Binds a model's parameters to the tensors of a safetensors file by Hugging Face key, and
// reports every problem at once.
//
//   let binder = WeightBinder(file)                      // or try WeightBinder(contentsOf: url)
//   let w = binder.scope("text_model.encoder.layers.0")  // keys below a prefix
//   let q = w.linear("self_attn.q_proj", in: 64, out: 64)   // .weight [64, 64] + .bias [64]
//   let n = w.layerNorm("layer_norm1", size: 64, eps: 1e-5) // .weight + .bias
//   let t = w.tensor("embeddings.class_embedding", shape: [64])
//   binder.allowUnused { $0.hasSuffix(".position_ids") }   // buffers some saves include
//   try binder.finish()   // throws WeightBindingError listing missing, mis-shaped, unexpected keys
//
// A failed lookup records the problem and returns an empty placeholder, so a model builds its
// whole layer tree from a config and learns every mismatch in one pass; the caller must call
// `finish()` before using the model (placeholders are never run).
import Foundation

public final class WeightBinder {
    public let file: SafeTensorsFile
    private var used: Set<String> = []
    private var missing: [String] = []
    private var misShaped: [WeightBindingError.Mismatch] = []
    private var unreadable: [String] = []
    private var allowedUnused: [(String) -> Bool] = []

    public init(_ file: SafeTensorsFile) {
        self.file = file
    }

    public convenience init(contentsOf url: URL) throws {
        self.init(try SafeTensorsFile(contentsOf: url))
    }

    public func scope(_ prefix: String) -> WeightScope {
        WeightScope(binder: self, prefix: prefix)
    }

    /// Keys matching `rule` may stay unused without being reported as unexpected.
    public func allowUnused(_ rule: @escaping (String) -> Bool) {
        allowedUnused.append(rule)
    }

    /// Whether the file has `key` (for optional parameters such as a bias some configs omit).
    public func contains(_ key: String) -> Bool {
        file.entries[key] != nil
    }

    /// The tensor under `key`, which must have exactly `shape`.
    public func tensor(_ key: String, shape: [Int]) -> Tensor {
        used.insert(key)
        guard let entry = file.entries[key] else {
            missing.append(key)
            return Tensor(zeros: [0])
        }
        guard entry.shape == shape else {
            misShaped.append(.init(key: key, expected: shape, found: entry.shape))
            return Tensor(zeros: [0])
        }
        guard let t = try? file.tensor(key) else {
            unreadable.append("\(key) (\(entry.dtype.rawValue))")
            return Tensor(zeros: [0])
        }
        return t
    }

    /// Throws one error naming every missing, mis-shaped, unreadable and unexpected key.
    public func finish() throws {
        let unexpected = file.names.filter { name in
            !used.contains(name) && !allowedUnused.contains { $0(name) }
        }
        if missing.isEmpty && misShaped.isEmpty && unreadable.isEmpty && unexpected.isEmpty { return }
        throw WeightBindingError(file: file.url, missing: missing.sorted(), unexpected: unexpected,
                                 misShaped: misShaped.sorted { $0.key < $1.key }, unreadable: unreadable.sorted())
    }
}

/// Keys under one prefix of a WeightBinder ("" for the top level), and the precision and
/// backend the linear layers bound below it compute in.
public struct WeightScope {
    public let binder: WeightBinder
    public let prefix: String
    public var precision: Precision = .float32
    public var backend: ComputeBackend

    public init(binder: WeightBinder, prefix: String, precision: Precision = .float32,
                backend: ComputeBackend = .selected) {
        self.binder = binder
        self.prefix = prefix
        self.precision = precision
        self.backend = backend
    }

    /// The same keys, with linear layers (and scopes below) in `precision` on `backend`.
    public func computing(in precision: Precision, on backend: ComputeBackend? = nil) -> WeightScope {
        WeightScope(binder: binder, prefix: prefix, precision: precision, backend: backend ?? self.backend)
    }

    public func key(_ name: String) -> String {
        prefix.isEmpty ? name : "\(prefix).\(name)"
    }

    public func scope(_ name: String) -> WeightScope {
        WeightScope(binder: binder, prefix: key(name), precision: precision, backend: backend)
    }

    public func contains(_ name: String) -> Bool {
        binder.contains(key(name))
    }

    public func tensor(_ name: String, shape: [Int]) -> Tensor {
        binder.tensor(key(name), shape: shape)
    }

    /// `<name>.weight` [out, in] and, when `bias`, `<name>.bias` [out].
    public func linear(_ name: String, in inFeatures: Int, out outFeatures: Int, bias: Bool = true) -> Linear {
        Linear(weight: tensor("\(name).weight", shape: [outFeatures, inFeatures]),
               bias: bias ? tensor("\(name).bias", shape: [outFeatures]) : nil).converted(to: precision, backend: backend)
    }

    /// `<name>.weight` and `<name>.bias`, both [size].
    public func layerNorm(_ name: String, size: Int, eps: Float) -> LayerNorm {
        LayerNorm(weight: tensor("\(name).weight", shape: [size]),
                  bias: tensor("\(name).bias", shape: [size]), eps: eps)
    }
}
