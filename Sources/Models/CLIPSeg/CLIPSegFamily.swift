// CLIPSeg (model_type "clipseg", CIDAS/clipseg-rd64-refined and kin) as a model family: it
// serves segment through CLIPSegCheckpoint.

extension ModelFamily {
    public static let clipSeg = ModelFamily(
        name: "CLIPSeg", modelTypes: ["clipseg"],
        segmentation: { try CLIPSegCheckpoint(directory: $0, backend: $1.resize, precision: $1.precision) })
}

extension CLIPSegSegmenter: PromptSegmenter {}
