// The model tasks this build provides to pipelines. Adding a task is its FrameModel file plus
// one line here; which model family serves a stage's checkpoint is Models' ModelFamilyRegistry's
// call (by config.json's model_type), not this list's.

extension ModelRegistry {
    public static var builtIn: ModelRegistry {
        var registry = ModelRegistry()
        registry.register(.classify) { try ClassifyModel(spec: $0, environment: $1) }
        registry.register(.detect) { try DetectModel(spec: $0, environment: $1) }
        registry.register(.segment) { try SegmentModel(spec: $0, environment: $1) }
        return registry
    }
}
