#!/usr/bin/env python3
"""Trains the tiny shapes-world CLIP, OWL-ViT and CLIPSeg that samples/models/ ships.

Reference venv, CPU (the build machine has 2 cores). The shipped checkpoints come from:
  python tools/train_shapes.py all    --work W      # RECIPE below, in an hour on the 2 cores
  python tools/train_shapes.py export --work W --samples samples
`all` runs RECIPE's runs as child processes (logs in W/<run>.log), each as soon as the runs it
starts from have finished and its cores are free:
  clip-64    CLIP at 64 px, 2400 steps, both cores
  clip       that CLIP continued at 96 px, 600 steps, one core  | beside them, on the other core:
  clipseg    CLIPSeg at 96 px from it, 2000 steps, one core     | owlvit-64  OWL-ViT at 64 px from
                                                                |            clip-64, 8500 steps
  owlvit     OWL-ViT continued at 128 px, 2000 steps, both cores
Small inputs first: a step at 64 px costs about a quarter of one at 128 (64 tokens against
256), and what the towers learn there carries over when their position embeddings are resized
to the larger grid (fit_positions). CLIP ends at 96 px because at 64 the smallest objects are
6 px and its shape top-1 stops short of 0.9; OWL-ViT ends at 128 because at smaller sizes
where an object entering the video crosses half its area was not sharp enough for the demo.
Any run can also be started alone, e.g.
  python tools/train_shapes.py owlvit --work W --out owlvit-64 --init W/clip-64/final --size 64 --steps 8500 --partial-share 0.7

Every run checkpoints to WORK/<run>/state.pt every 50 steps and resumes from it, so a killed
run continues where it stopped. Training data is drawn from tools/shapes_world.py with the scene
seed (SEED, stage, step, index), so a resumed run sees the same scenes as an uninterrupted one.

The models use transformers' own classes and processors' preprocessing (PIL backends, as
ClipStream reproduces them), so the exported directories load unchanged in both.
"""
import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shapes_world as world  # noqa: E402

SEED = 20261127
STAGES = {"clip": 0, "owlvit": 1, "clipseg": 2}
SIZE = 96  # --size's default; RECIPE starts at 64, ships CLIP and CLIPSeg at 96, OWL-ViT at 128 (patch 8)
TEXT = dict(vocab_size=49408, hidden_size=32, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=2, max_position_embeddings=77, hidden_act="quick_gelu",
            bos_token_id=49406, eos_token_id=49407, pad_token_id=1)
VISION = dict(image_size=SIZE, patch_size=8, hidden_size=96, intermediate_size=384, num_hidden_layers=4,
              num_attention_heads=4, hidden_act="quick_gelu")
# The videos' ground truth counts a phrase as visible from half an object on; OWL-ViT's targets
# use the same rule (objects showing less are no targets), so the detector does not fire on a
# sliver entering the frame and events start and end where the truth says.
VISIBLE_FROM = world.VISIBLE_FRACTION
PROJECTION = 32  # OWL-ViT's class head needs projection_dim == text hidden_size
PLAN = {  # steps (RECIPE's runs set their own), batch, peak learning rate
    "clip": (2400, 64, 1e-3),
    "owlvit": (2000, 32, 5e-4),
    "clipseg": (1200, 24, 2e-3),
}


def default_tokenizer_dir():
    repo = Path(__file__).resolve().parent.parent / "samples" / "tokenizer"
    return repo if (repo / "vocab.json").exists() else Path("/tmp/shapes_tok")


def tokenizer(path):
    from transformers import CLIPTokenizer
    return CLIPTokenizer(str(Path(path) / "vocab.json"), str(Path(path) / "merges.txt"))


def clip_config(size=SIZE):
    from transformers import CLIPConfig
    return CLIPConfig(text_config=TEXT, vision_config=dict(VISION, image_size=size), projection_dim=PROJECTION)


def owlvit_config(size=SIZE):
    from transformers import OwlViTConfig
    text = dict(TEXT, max_position_embeddings=16, pad_token_id=0)
    return OwlViTConfig(text_config=text, vision_config=dict(VISION, image_size=size), projection_dim=PROJECTION)


def clipseg_config(size=SIZE):
    from transformers import CLIPSegConfig
    return CLIPSegConfig(text_config=TEXT, vision_config=dict(VISION, image_size=size), projection_dim=PROJECTION,
                         extract_layers=[1, 2, 3], reduce_dim=32, decoder_num_attention_heads=4,
                         decoder_intermediate_size=128, conditional_layer=0,
                         use_complex_transposed_convolution=True)


def image_processor(kind, size=SIZE):
    """The preprocessing each model's processor does, at its input size."""
    if kind == "clip":
        from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
        return CLIPImageProcessorPil(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    if kind == "owlvit":
        from transformers.models.owlvit.image_processing_pil_owlvit import OwlViTImageProcessorPil
        return OwlViTImageProcessorPil(size={"height": size, "width": size},
                                       crop_size={"height": size, "width": size})
    from transformers.models.vit.image_processing_pil_vit import ViTImageProcessorPil
    return ViTImageProcessorPil(size={"height": size, "width": size}, resample=2,
                                image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])


def pixels(proc, images):
    return torch.as_tensor(np.asarray(proc(images=images, return_tensors="np")["pixel_values"]))


def tokens(tok, texts, length=None):
    kw = dict(padding="max_length", max_length=length, truncation=True) if length else dict(padding=True)
    enc = tok(texts, return_tensors="pt", **kw)
    return enc["input_ids"], enc["attention_mask"]


# ---- scenes ----------------------------------------------------------------------------------

PARTIAL_SHARE = 0.3  # of training scenes with objects over the border (--partial-share)


def draw_scene(rng, square_only=False, partial_share=PARTIAL_SHARE):
    """A training scene at a random size and aspect (square, 4:3 or 3:4, 96 to 200 px on the
    short side), sometimes with objects running over the border as in the videos."""
    from PIL import Image
    short = int(rng.integers(96, 201))
    aspect = 1.0 if square_only else [1.0, 4 / 3, 3 / 4][rng.integers(0, 3)]
    w, h = (round(short * aspect), short) if aspect >= 1 else (short, round(short / aspect))
    single = rng.random() < 0.4
    partial = (not square_only) and rng.random() < partial_share
    scene = world.random_scene(rng, w, h, (1, 1) if single else (1, 4), partial)
    img, truth = world.render(scene, w, h)
    return Image.fromarray(img), scene, truth, w, h


TEMPLATES = ["{}", "a photo of {}.", "{}."]
QUERY_FORMS = ["{}", "a {}", "a photo of a {}."]


def clip_caption(rng, scene):
    phrases = list(dict.fromkeys(world.phrase(o) for o in scene["objects"]))
    rng.shuffle(phrases)
    if len(phrases) == 1 and rng.random() < 0.3:
        return phrases[0], frozenset(phrases)
    return TEMPLATES[rng.integers(0, len(TEMPLATES))].format(world.caption(phrases)), frozenset(phrases)


# ---- losses ----------------------------------------------------------------------------------

def clip_loss(logits_per_image, keys):
    """Contrastive loss where every caption naming the same set of phrases is a positive."""
    same = torch.tensor([[a == b for b in keys] for a in keys], dtype=torch.float32)
    target = same / same.sum(1, keepdim=True)
    li = -(target * F.log_softmax(logits_per_image, 1)).sum(1).mean()
    lt = -(target * F.log_softmax(logits_per_image.t(), 1)).sum(1).mean()
    return (li + lt) / 2


def box_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)


def generalized_iou(a, b):
    """Pairwise GIoU of xyxy boxes a (N,4) and b (M,4)."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a[:, None] + area_b[None] - inter
    iou = inter / union
    lt2 = torch.min(a[:, None, :2], b[None, :, :2])
    rb2 = torch.max(a[:, None, 2:], b[None, :, 2:])
    hull = (rb2 - lt2).clamp(min=0).prod(-1)
    return iou - (hull - union) / hull


def focal_terms(p, alpha=0.25, gamma=2.0):
    pos = alpha * (1 - p) ** gamma * -(p + 1e-8).log()
    neg = (1 - alpha) * p ** gamma * -(1 - p + 1e-8).log()
    return pos, neg


W_CLASS, W_L1, W_GIOU = 2.0, 5.0, 2.0  # the DETR-family weights the OWL-ViT paper trains with


def detection_loss(logits, boxes, targets):
    """Set-prediction loss: Hungarian matching of predicted boxes to ground truth on the same
    class + L1 + GIoU cost, then sigmoid focal loss on all (box, query) logits and L1 + GIoU on
    the matched boxes, normalised by the number of ground-truth boxes."""
    from scipy.optimize import linear_sum_assignment
    prob = logits.sigmoid()
    cls_target = torch.zeros_like(logits)
    l1 = giou = logits.new_zeros(())
    n = 0
    for i, (labels, gt) in enumerate(targets):
        if len(labels) == 0:
            continue
        with torch.no_grad():
            pos, neg = focal_terms(prob[i][:, labels])
            cost = W_CLASS * (pos - neg) + W_L1 * torch.cdist(boxes[i], gt, p=1) \
                - W_GIOU * generalized_iou(box_xyxy(boxes[i]), box_xyxy(gt))
            rows, cols = linear_sum_assignment(cost.numpy())
        rows, cols = torch.as_tensor(rows), torch.as_tensor(cols)
        cls_target[i, rows, labels[cols]] = 1.0
        l1 = l1 + (boxes[i, rows] - gt[cols]).abs().sum()
        giou = giou + (1 - torch.diag(generalized_iou(box_xyxy(boxes[i, rows]), box_xyxy(gt[cols])))).sum()
        n += len(labels)
    n = max(n, 1)
    ce = F.binary_cross_entropy_with_logits(logits, cls_target, reduction="none")
    p_t = prob * cls_target + (1 - prob) * (1 - cls_target)
    alpha_t = 0.25 * cls_target + 0.75 * (1 - cls_target)
    focal = (alpha_t * (1 - p_t) ** 2 * ce).sum() / n
    return W_CLASS * focal + W_L1 * l1 / n + W_GIOU * giou / n, (focal.item(), (l1 / n).item(), (giou / n).item())


# ---- CLIPSeg: one backbone pass per image, many prompts (same maths as the model's forward) ----

def clipseg_logits(model, pixel_values, image_index, input_ids, attention_mask):
    vis = model.clip.vision_model(pixel_values=pixel_values, output_hidden_states=True,
                                  interpolate_pos_encoding=True)
    acts = [vis.hidden_states[i + 1][image_index] for i in model.extract_layers]
    cond = model.clip.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
    cond = cond.pooler_output if hasattr(cond, "pooler_output") else cond
    return model.decoder(acts, cond).logits


# ---- OWL-ViT: the queries' text pass once per step, not once per image (same maths as the
# model's forward, which runs the text tower on batch x queries copies of the same phrases) ----

def owlvit_outputs(model, pixel_values, input_ids, attention_mask):
    feature_map, _ = model.image_embedder(pixel_values=pixel_values)
    b, h, w, d = feature_map.shape
    image_feats = feature_map.reshape(b, h * w, d)
    text = model.owlvit.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
    text = text.pooler_output if hasattr(text, "pooler_output") else text
    queries = (text / text.norm(dim=-1, keepdim=True)).expand(b, -1, -1)
    query_mask = (input_ids[:, 0] > 0).expand(b, -1)
    logits, _ = model.class_predictor(image_feats, queries, query_mask)
    return logits, model.box_predictor(image_feats, feature_map)


# ---- the training loop -----------------------------------------------------------------------

def trained_detector(init):
    """The state dict of a trained OWL-ViT when `init` is one (a state.pt of the owlvit stage or
    a saved OwlViTForObjectDetection directory), else None."""
    if init is None:
        return None
    init = Path(init)
    if init.is_dir():
        if json.loads((init / "config.json").read_text()).get("model_type") != "owlvit":
            return None
        from transformers import OwlViTForObjectDetection
        return OwlViTForObjectDetection.from_pretrained(init).state_dict()
    state = torch.load(init, weights_only=False)["model"]
    return state if any(k.startswith("owlvit.") for k in state) else None


def clip_weights(work, init=None):
    """The trained CLIP's state dict: `init` may be a saved model directory or a state.pt of
    the CLIP stage (to start while CLIP is still training)."""
    from transformers import CLIPModel
    init = Path(init or work / "clip" / "final")
    if init.is_dir():
        return CLIPModel.from_pretrained(init).state_dict()
    return torch.load(init, weights_only=False)["model"]


VISION_POSITIONS = "vision_model.embeddings.position_embedding.weight"


def fit_positions(state, model):
    """The state dict with its vision position embeddings resized to the model's patch grid
    (bicubic over the grid, the class position kept, as the models' interpolate_pos_encoding
    does at run time), so a tower trained at 96 px continues at 128 px."""
    target = next(v for k, v in model.state_dict().items() if k.endswith(VISION_POSITIONS))
    state = dict(state)
    for key, value in state.items():
        if not key.endswith(VISION_POSITIONS) or value.shape == target.shape:
            continue
        old, new, dim = math.isqrt(value.shape[0] - 1), math.isqrt(target.shape[0] - 1), value.shape[1]
        grid = value[1:].reshape(1, old, old, dim).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(new, new), mode="bicubic", align_corners=False)
        state[key] = torch.cat([value[:1], grid.permute(0, 2, 3, 1).reshape(new * new, dim)])
    return state


def build(stage, work, init=None, size=SIZE):
    from transformers import CLIPModel, CLIPSegForImageSegmentation, OwlViTForObjectDetection
    torch.manual_seed(SEED + STAGES[stage])
    if stage == "clip":
        model = CLIPModel(clip_config(size))
        if init is not None:  # a CLIP trained at another size continues at this one
            model.load_state_dict(fit_positions(clip_weights(work, init), model))
        return model
    if stage == "owlvit":
        model = OwlViTForObjectDetection(owlvit_config(size))
        detector = trained_detector(init)
        if detector is not None:  # a new run from a trained detector, e.g. at a larger size
            model.load_state_dict(fit_positions(detector, model))
            return model
        # Both towers start from the trained CLIP, as OWL-ViT starts from a contrastive
        # checkpoint: its text queries and patch tokens already know colours and shapes. The
        # class head starts at a 1% prior as focal-loss detectors do, with a logit scale of 10
        # on the cosine similarities, so the first steps are not swamped by negatives.
        with torch.no_grad():
            head = model.class_head
            head.logit_shift.weight.zero_()
            head.logit_shift.bias.fill_(-0.46)
            head.logit_scale.weight.zero_()
            head.logit_scale.bias.fill_(9.0)
            # transformers' default init gives the box MLP unit-variance weights, which saturates
            # the sigmoid (boxes stuck at 0/1, no gradient); start it small so each token first
            # predicts the patch-sized box at its own grid cell (the box bias).
            for layer in (model.box_head.dense0, model.box_head.dense1, model.box_head.dense2):
                layer.weight.normal_(0.0, 0.02)
                layer.bias.zero_()
            model.box_head.dense2.weight.zero_()
        state = {k.replace("pre_layrnorm", "pre_layernorm"): v for k, v in clip_weights(work, init).items()}
        positions = "text_model.embeddings.position_embedding.weight"
        state[positions] = state[positions][: model.config.text_config.max_position_embeddings]
        result = model.owlvit.load_state_dict(fit_positions(state, model.owlvit), strict=False)
        assert not result.missing_keys and not result.unexpected_keys, result
        return model
    # CLIPSeg starts from the trained CLIP and fine-tunes its vision tower with the decoder:
    # the shapes CLIP is small and young, so unlike the paper's frozen ViT-B/16 its patch
    # tokens gain from learning the pixel task too. The text tower stays frozen, as in the
    # paper: trained with the masks it collapsed the 20 phrases' conditional embeddings into
    # five near-identical groups (cosine 0.9-1.0), and whole groups of phrases were never
    # segmented (mIoU 0.107).
    model = CLIPSegForImageSegmentation(clipseg_config(size))
    missing = model.clip.load_state_dict(fit_positions(clip_weights(work, init), model.clip), strict=False)
    assert not missing.missing_keys, missing
    with torch.no_grad():  # transformers leaves the decoder's linears at unit variance
        for m in model.decoder.modules():
            if isinstance(m, torch.nn.Linear):
                m.weight.normal_(0.0, 0.02)
                m.bias.zero_()
            elif isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                m.reset_parameters()
        # FiLM starts as the identity (scale 1, shift 0): a scale near 0 wipes the image
        # features at the conditional layer and the decoder learns a prompt-blind mask.
        model.decoder.film_mul.bias.fill_(1.0)
    for p in list(model.clip.text_model.parameters()) + list(model.clip.text_projection.parameters()):
        p.requires_grad_(False)
    return model


def lr_at(step, steps, peak, warmup=60):
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup))))


def train(stage, work, tok_dir, steps=None, init=None, threads=1, restart=False, lr=None,
          partial_share=PARTIAL_SHARE, size=SIZE, out=None):
    torch.set_num_threads(threads)
    out = work / (out or stage)
    out.mkdir(parents=True, exist_ok=True)
    plan_steps, batch, peak = PLAN[stage]
    steps = steps or plan_steps
    model = build(stage, work, init, size)
    tok = tokenizer(tok_dir)
    proc = image_processor(stage, size)
    params = [p for p in model.parameters() if p.requires_grad]
    if stage == "clipseg":  # the pretrained towers move at half the decoder's rate
        towers = set(id(p) for p in model.clip.parameters())
        groups = [{"params": [p for p in params if id(p) in towers], "scale": 0.5},
                  {"params": [p for p in params if id(p) not in towers], "scale": 1.0}]
    else:
        groups = [{"params": params, "scale": 1.0}]
    opt = torch.optim.AdamW(groups, lr=peak, weight_decay=0.01)
    step, spent = 0, 0.0
    # The learning-rate schedule: warm-up and cosine over `steps` steps from `start`. A run with
    # --restart-schedule continues from the saved weights with a fresh optimiser and a new
    # schedule of --steps more steps (peak --lr) over new scenes: a second phase, itself resumable.
    schedule = {"start": 0, "steps": steps, "peak": lr or peak}
    state_path = out / "state.pt"
    if state_path.exists():
        state = torch.load(state_path, weights_only=False)
        if any(v.shape != model.state_dict()[k].shape for k, v in state["model"].items()):
            sys.exit(f"train_shapes.py: {state_path} holds a model of another input size than --size {size}; "
                     "start a new run from it with --init in another work directory.")
        model.load_state_dict(state["model"])
        step, spent = state["step"], state["seconds"]
        saved = state.get("schedule")
        if restart and (saved is None or step >= saved["start"] + saved["steps"]):
            schedule = {"start": step, "steps": steps, "peak": lr or peak}  # the last one ended
        else:
            if "opt" in state:  # a hand-made state (weights only) starts a fresh optimiser
                opt.load_state_dict(state["opt"])
            schedule = state.get("schedule", schedule)
        print(f"resumed {stage} at step {step}; schedule {schedule}", flush=True)
    steps = schedule["start"] + schedule["steps"]
    # queries and prompts as users write them: "red circle", "a red circle", "a photo of a red circle."
    forms = [tokens(tok, [f.format(p) for p in world.PHRASES], 16 if stage == "owlvit" else None)
             for f in QUERY_FORMS]
    model.train()
    t0 = time.time()
    while step < steps:
        phrase_ids, phrase_mask = forms[step % len(forms)]
        for g in opt.param_groups:
            g["lr"] = lr_at(step - schedule["start"], schedule["steps"], schedule["peak"]) * g.get("scale", 1.0)
        rngs = [world.scene_rng(SEED, (STAGES[stage] << 40) + step * 1024 + i) for i in range(batch)]
        scenes = [draw_scene(r, square_only=(stage == "clip"), partial_share=partial_share) for r in rngs]
        px = pixels(proc, [s[0] for s in scenes])
        if stage == "clip":
            caps = [clip_caption(r, s[1]) for r, s in zip(rngs, scenes)]
            ids, mask = tokens(tok, [c[0] for c in caps])
            o = model(input_ids=ids, attention_mask=mask, pixel_values=px)
            loss = clip_loss(o.logits_per_image, [c[1] for c in caps])
            # In-batch negatives rarely share a colour, so colour alone nearly solves the batch
            # and shape is learned slowly. Single-object scenes are also contrasted with all 20
            # phrases (in this step's template): the same colour in every other shape is always
            # among the negatives.
            single = [i for i, c in enumerate(caps) if len(c[1]) == 1]
            if single:
                form = [lambda p: p, lambda p: f"a {p}", lambda p: f"a photo of a {p}."][step % 3]
                pid, pmask = tokens(tok, [form(p) for p in world.PHRASES])
                text = model.get_text_features(input_ids=pid, attention_mask=pmask)
                text = text.pooler_output if hasattr(text, "pooler_output") else text
                text = text / text.norm(dim=-1, keepdim=True)
                logits = model.logit_scale.exp() * o.image_embeds[single] @ text.t()
                target = torch.tensor([world.PHRASES.index(next(iter(caps[i][1]))) for i in single])
                hard = F.cross_entropy(logits, target)
                loss = loss + hard
            info = f"scale {model.logit_scale.exp().item():.1f} phrases {hard.item() if single else 0:.3f}"
        elif stage == "owlvit":
            q = len(world.PHRASES)
            logits, boxes = owlvit_outputs(model, px, phrase_ids, phrase_mask)
            targets = []
            for _, _, truth, w, h in scenes:
                keep = [t for t in truth if t["box"] and t["visible_fraction"] >= VISIBLE_FROM]
                labels = torch.tensor([world.PHRASES.index(t["phrase"]) for t in keep], dtype=torch.long)
                gt = torch.tensor([[(b[0] + b[2]) / 2 / w, (b[1] + b[3]) / 2 / h, (b[2] - b[0]) / w,
                                    (b[3] - b[1]) / h] for b in (t["box"] for t in keep)], dtype=torch.float32)
                targets.append((labels, gt.reshape(-1, 4)))
            loss, parts = detection_loss(logits[..., :q], boxes, targets)
            info = "focal %.3f l1 %.3f giou %.3f" % parts
        else:
            # CLIPSeg's logits are half the input size: its complex transposed convolution
            # upsamples the patch 8 tokens 2x2, then 2x2; the targets are drawn at that grid.
            grid = (size // 2, size // 2)
            img_idx, prompt_idx, masks, fg = [], [], [], []
            for i, ((_, scene, truth, w, h), r) in enumerate(zip(scenes, rngs)):
                pm = world.phrase_masks(truth, w, h)
                present = [p for p in pm if pm[p].any()]
                absent = [p for p in world.PHRASES if p not in present]
                # negatives: two absent phrases of a present colour (shape must decide: colour
                # alone is learned first and then dominates), one of a present shape (colour
                # must decide), and one at random
                colours = {p.split()[0] for p in present}
                shapes = {p.split()[1] for p in present}
                same_colour = [p for p in absent if p.split()[0] in colours]
                same_shape = [p for p in absent if p.split()[1] in shapes]
                negatives = {str(p) for p in r.choice(same_colour, min(2, len(same_colour)), replace=False)} \
                    if same_colour else set()
                negatives |= {str(r.choice(x)) for x in (same_shape, absent) if x}
                chosen = present + sorted(negatives)
                objects = np.zeros((h, w), np.float32)
                for m in pm.values():
                    objects = np.maximum(objects, m.astype(np.float32))
                objects = F.interpolate(torch.from_numpy(objects)[None, None], size=grid, mode="area")[0, 0]
                for p in chosen:
                    m = pm.get(p, np.zeros((h, w), bool)).astype(np.float32)
                    m = F.interpolate(torch.from_numpy(m)[None, None], size=grid, mode="area")[0, 0]
                    img_idx.append(i), prompt_idx.append(world.PHRASES.index(p)), masks.append(m)
                    fg.append(objects)
            img_idx, prompt_idx = torch.tensor(img_idx), torch.tensor(prompt_idx)
            logits = clipseg_logits(model, px, img_idx, phrase_ids[prompt_idx], phrase_mask[prompt_idx])
            target = torch.stack(masks)
            # BCE balanced between the scene's object pixels and its background: a plain mean is
            # won by the background, and a prompt for an absent phrase lighting up a same-coloured
            # object (4% of the pixels) cost almost nothing; that was 80% of the false mask area
            # on held-out scenes.
            ce = F.binary_cross_entropy_with_logits(logits, target, reduction="none").flatten(1)
            inside = torch.stack(fg).flatten(1)
            bce = ((ce * inside).sum(1) / inside.sum(1).clamp(min=1)
                   + (ce * (1 - inside)).sum(1) / (1 - inside).sum(1).clamp(min=1)).mean() / 2
            # Objects cover a few percent of a scene, so a plain BCE alone was won by predicting
            # background everywhere (no pixel reached p = 0.5). The soft Dice term scores each
            # present phrase's mask as a whole. Absent phrases are left to BCE: on an empty mask Dice is
            # 1 - 1 / (sum p + 1), whose gradient vanishes once a false mask is large, and it
            # taught the decoder to predict nothing for any phrase it could not yet tell apart.
            p = logits.sigmoid().flatten(1)
            t = target.flatten(1)
            dice = 1 - (2 * (p * t).sum(1) + 1) / (p.sum(1) + t.sum(1) + 1)
            present_pairs = t.sum(1) > 0
            loss = bce + dice[present_pairs].mean()
            info = f"pairs {len(img_idx)} bce {bce.item():.4f} dice {dice.mean().item():.3f}"
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 10 == 0 or step == steps:
            el = spent + time.time() - t0
            print(f"{stage} step {step}/{steps} loss {loss.item():.4f} {info} "
                  f"lr {opt.param_groups[0]['lr']:.2e} {el:.0f}s", flush=True)
        if step % 50 == 0 or step == steps:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                        "seconds": spent + time.time() - t0, "schedule": schedule}, str(state_path) + ".tmp")
            os.replace(str(state_path) + ".tmp", state_path)
    model.eval()
    model.save_pretrained(out / "final")
    proc.save_pretrained(out / "final")
    total = spent + time.time() - t0
    (out / "final" / "training.json").write_text(json.dumps({"stage": stage, "steps": steps, "batch": batch,
                                                             "seconds": round(total, 1),
                                                             "init": str(init) if init else None}) + "\n")
    print(f"{stage} done: {steps} steps in {total:.0f}s", flush=True)


# ---- the whole recipe in one command, within the hour on the 2 cores -------------------------

# Each run: its directory under --work, the runs whose models it starts from, the cores it
# takes (its torch threads), and its arguments. A run starts once those runs have finished and
# its cores are free. Every run is deterministic given its inputs and thread count, so the order
# runs happen to start in changes no weight. Small inputs first, where a step is cheap (64 px:
# 64 tokens, against 144 at 96 px and 256 at 128), then each tower continues at its final size
# with its position embeddings resized (fit_positions).
RECIPE = [
    ("clip-64", [], 2, ["clip", "--size", "64"]),
    ("clip", ["clip-64"], 1, ["clip", "--init", "{work}/clip-64/final", "--size", "96", "--steps", "600",
                              "--lr", "3e-4"]),
    ("owlvit-64", ["clip-64"], 1, ["owlvit", "--init", "{work}/clip-64/final", "--size", "64", "--steps", "8500",
                                   "--partial-share", "0.7"]),
    ("clipseg", ["clip"], 1, ["clipseg", "--init", "{work}/clip/final", "--size", "96", "--steps", "2000"]),
    ("owlvit", ["owlvit-64"], 2, ["owlvit", "--init", "{work}/owlvit-64/final", "--size", "128", "--steps", "2000",
                                  "--lr", "2e-4", "--partial-share", "0.7"]),
]
CORES = 2


def train_all(work, tok_dir):
    """Runs RECIPE as child processes, each logging to WORK/<run>.log. A run whose final model
    exists is skipped and a killed run resumes from its state, so rerunning continues."""
    import subprocess
    work.mkdir(parents=True, exist_ok=True)
    done = {name for name, *_ in RECIPE if (work / name / "final" / "training.json").exists()}
    pending = [r for r in RECIPE if r[0] not in done]
    running = {}  # name -> (process, cores)
    t0 = time.time()
    while pending or running:
        free = CORES - sum(c for _, c in running.values())
        for run in list(pending):
            name, needs, cores, args = run
            if cores <= free and all(n in done for n in needs):
                args = [a.format(work=work) for a in args]
                argv = [sys.executable, __file__, *args, "--work", str(work),
                        "--out", name, "--threads", str(cores), "--tokenizer", str(tok_dir)]
                with open(work / f"{name}.log", "a") as log:  # the child keeps its own handle
                    running[name] = (subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT), cores)
                pending.remove(run)
                free -= cores
                print(f"{time.time() - t0:6.0f}s  {name} started: {' '.join(args)}", flush=True)
        time.sleep(2)
        for name, (proc, _) in list(running.items()):
            if proc.poll() is None:
                continue
            del running[name]
            if proc.returncode != 0:
                for other, _ in running.values():
                    other.terminate()
                sys.exit(f"train_shapes.py: run {name} failed (exit {proc.returncode}); see {work / name}.log, "
                         "and run the same command again to resume.")
            done.add(name)
            print(f"{time.time() - t0:6.0f}s  {name} finished", flush=True)
    print(f"all runs finished in {time.time() - t0:.0f}s; export with: "
          f"python {Path(__file__).name} export --work {work}", flush=True)


# ---- export to samples/models ----------------------------------------------------------------

EXPORTS = {"clip": "clip-shapes", "owlvit": "owlvit-shapes", "clipseg": "clipseg-shapes"}


def tokenizer_config(stage):
    """The tokenizer settings of the real checkpoints each layout copies (OWL-ViT pads queries
    with "!" to 16 tokens; CLIP and CLIPSeg pad with the end token within 77)."""
    owl = stage == "owlvit"
    return {"tokenizer_class": "CLIPTokenizer", "model_max_length": 16 if owl else 77,
            "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
            "pad_token": "!" if owl else "<|endoftext|>", "do_lower_case": True, "errors": "replace"}


def export(work, samples):
    """Writes samples/models/<name>/ in the Hugging Face layout: config.json, F16
    model.safetensors, preprocessor_config.json, tokenizer_config.json, and vocab.json /
    merges.txt as relative symlinks into samples/tokenizer/."""
    from transformers import AutoConfig, CLIPModel, CLIPSegForImageSegmentation, OwlViTForObjectDetection
    classes = {"clip": CLIPModel, "owlvit": OwlViTForObjectDetection, "clipseg": CLIPSegForImageSegmentation}
    for stage, name in EXPORTS.items():
        src = work / stage / "final"
        dst = samples / "models" / name
        if not (src / "model.safetensors").exists():
            print(f"{name}: {src} has no trained model yet; skipped", flush=True)
            continue
        dst.mkdir(parents=True, exist_ok=True)
        model = classes[stage].from_pretrained(src, dtype=torch.float32)
        model.half().save_pretrained(dst)
        for f in ["preprocessor_config.json"]:
            (dst / f).write_text((src / f).read_text())
        (dst / "tokenizer_config.json").write_text(json.dumps(tokenizer_config(stage), indent=2) + "\n")
        for f in ["vocab.json", "merges.txt"]:
            link = dst / f
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(Path("..") / ".." / "tokenizer" / f)
        training = json.loads((src / "training.json").read_text())
        print(f"{name}: {(dst / 'model.safetensors').stat().st_size / 1e6:.2f} MB, "
              f"{training['steps']} steps, {training['seconds']:.0f} s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=list(STAGES) + ["all", "export"],
                    help="a stage's run, all: the whole recipe (RECIPE), export: WORK's models to samples/")
    ap.add_argument("--work", type=Path, default=Path("/tmp/shapes_train"))
    ap.add_argument("--tokenizer", type=Path, default=None)
    ap.add_argument("--steps", type=int, default=None, help="override the planned step count (smoke tests)")
    ap.add_argument("--samples", type=Path, default=None)
    ap.add_argument("--init", type=Path, default=None,
                    help="the CLIP to start from (dir or state.pt; for clip: one trained at another size); "
                         "owlvit: or a trained OWL-ViT")
    ap.add_argument("--threads", type=int, default=1, help="torch threads")
    ap.add_argument("--restart-schedule", action="store_true",
                    help="continue from WORK/<stage>/state.pt with a fresh optimiser and a new schedule of --steps steps")
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate (default: the stage's plan)")
    ap.add_argument("--partial-share", type=float, default=PARTIAL_SHARE,
                    help="share of training scenes with objects over the border")
    ap.add_argument("--size", type=int, default=SIZE,
                    help="the model's input size (towers given by --init are resized to it)")
    ap.add_argument("--out", default=None, help="the run's directory under --work (default: the stage's name)")
    a = ap.parse_args()
    tok_dir = a.tokenizer or default_tokenizer_dir()
    if a.stage == "export":
        export(a.work, a.samples or Path(__file__).resolve().parent.parent / "samples")
    elif a.stage == "all":
        train_all(a.work, tok_dir)
    else:
        train(a.stage, a.work, tok_dir, a.steps, a.init, a.threads, a.restart_schedule, a.lr, a.partial_share,
              a.size, a.out)


if __name__ == "__main__":
    main()
