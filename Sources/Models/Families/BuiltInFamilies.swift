// The model families this build reads. A new family is its folder under Sources/Models (its
// model and a `static let` ModelFamily, see CLIP/CLIPFamily.swift) plus one line here.

extension ModelFamilyRegistry {
    public static let builtIn: ModelFamilyRegistry = {
        var registry = ModelFamilyRegistry()
        registry.register(.clip)
        registry.register(.owlViT)
        registry.register(.clipSeg)
        return registry
    }()
}
