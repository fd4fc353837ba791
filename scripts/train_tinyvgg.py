"""Train the Tiny VGG on Imagenette (64x64, [0, 1] inputs, no normalisation) and export it into convviz.

Offline only; the app never imports this. Needs ``pip install -r requirements-train.txt``. Run from the
repository root (see ``scripts/README.md`` for the exact command used for the shipped weights)::

    python scripts/train_tinyvgg.py --data ../shared/datasets/imagenette2-224 --epochs 90

Recipe: SGD with Nesterov momentum, linear warm-up then cosine decay per step, weight decay on conv and
dense weights only, label smoothing, an exponential moving average (EMA) of the weights and BN statistics
(the EMA is what is exported), strong augmentation (random-resized crops, flips, colour jitter) then
``--light-epochs`` of light augmentation (shifts and flips of the exact evaluation image). Validation is
reported only; it never selects weights. Checkpoints every ``--ckpt-every`` epochs; ``--resume`` continues.
"""

from __future__ import annotations

import argparse
import copy
import math
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tinyvgg_augment import colour_jitter, random_flips, random_resized_crops, random_shifts, to_tensor
from tinyvgg_data import load_cache
from tinyvgg_export import export_model
from tinyvgg_net import DEFAULT_ARCH, TinyVGG, accuracy, count_params

REPO = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="Imagenette folder with train/ and val/")
    p.add_argument("--cache", type=Path, default=Path("/work/cache/imagenette_112_64.npz"),
                   help="decoded-array cache (outside the repository); built if missing")
    p.add_argument("--crop-size", type=int, default=112, help="side of the cached images cropped from")
    p.add_argument("--arch", default=DEFAULT_ARCH)
    p.add_argument("--epochs", type=int, default=90)
    p.add_argument("--light-epochs", type=int, default=8, help="final epochs with light augmentation")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.2, help="peak learning rate")
    p.add_argument("--warmup-epochs", type=float, default=3.0)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--ema-decay", type=float, default=0.998)
    p.add_argument("--crop-scale", type=float, default=0.35, help="smallest crop area fraction")
    p.add_argument("--jitter", type=float, default=0.2, help="colour jitter strength")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=5)
    p.add_argument("--ckpt-every", type=int, default=2)
    p.add_argument("--subset", type=int, default=0, help="use only this many train images (smoke runs)")
    p.add_argument("--work-dir", type=Path, default=Path("/work/cache/tinyvgg_run"),
                   help="checkpoint and log folder (outside the repository)")
    p.add_argument("--out-dir", type=Path, default=REPO / "convviz" / "models",
                   help="where the weights, manifest and golden activations are written")
    p.add_argument("--resume", action="store_true", help="continue from work-dir/checkpoint.pt")
    p.add_argument("--export-only", action="store_true",
                   help="skip training: export the EMA weights of a finished work-dir/checkpoint.pt")
    return p.parse_args(argv)


class Logger:
    """Print and append to a log file."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path

    def __call__(self, message: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {message}"
        print(line, flush=True)
        with self.path.open("a") as f:
            f.write(line + "\n")


def learning_rate(step: int, total: int, warmup: int, peak: float) -> float:
    """Linear warm-up from peak/10 to peak, then cosine decay to zero."""
    if step < warmup:
        return peak * (0.1 + 0.9 * step / warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


def make_optimizer(model: TinyVGG, args: argparse.Namespace) -> torch.optim.Optimizer:
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=args.lr, momentum=0.9, nesterov=True)


@torch.no_grad()
def update_ema(ema: TinyVGG, model: TinyVGG, decay: float) -> None:
    for e, m in zip(ema.state_dict().values(), model.state_dict().values(), strict=True):
        if e.dtype.is_floating_point:
            e.mul_(decay).add_(m, alpha=1 - decay)
        else:
            e.copy_(m)


def batch_for(data: dict, index: np.ndarray, strong: bool, rng: np.random.Generator,
              gen: torch.Generator, args: argparse.Namespace) -> torch.Tensor:
    if strong:
        crops = random_resized_crops(data["train_big"][index], rng, scale=(args.crop_scale, 1.0))
        x = random_flips(to_tensor(crops), gen)
        return colour_jitter(x, gen, strength=args.jitter) if args.jitter > 0 else x
    return random_flips(to_tensor(random_shifts(data["train64"][index], rng)), gen)


def train(args: argparse.Namespace, command: str) -> dict:
    torch.set_num_threads(args.threads)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    log = Logger(args.work_dir / "train.log")
    log(f"command: {command}")
    data = load_cache(args.data, args.cache, crop_size=args.crop_size, log=log)
    folders = [str(f) for f in data["folders"]]
    if args.subset:
        keep = np.random.default_rng(args.seed).permutation(len(data["y_train"]))[:args.subset]
        for key in ("train_big", "train64", "y_train"):
            data[key] = data[key][np.sort(keep)]
    n_train = len(data["y_train"])
    args.n_train = n_train
    torch.manual_seed(args.seed)
    model = TinyVGG(args.arch, len(folders)).to(memory_format=torch.channels_last)
    ema = copy.deepcopy(model)
    optimizer = make_optimizer(model, args)
    steps_per_epoch = n_train // args.batch_size  # drop the ragged last batch
    total_steps = steps_per_epoch * args.epochs
    warmup = int(args.warmup_epochs * steps_per_epoch)
    log(f"arch {args.arch}: {count_params(args.arch, len(folders))} exported parameters; "
        f"{n_train} train images, {steps_per_epoch} steps/epoch, {args.epochs} epochs")
    ckpt_path = args.work_dir / "checkpoint.pt"
    start = 0
    if args.resume and ckpt_path.exists():
        ckpt = torch.load(ckpt_path, weights_only=True)
        model.load_state_dict(ckpt["model"])
        ema.load_state_dict(ckpt["ema"])
        optimizer.load_state_dict(ckpt["optimizer"])
        start = int(ckpt["epoch"])
        log(f"resumed after epoch {start}")
    labels = torch.from_numpy(data["y_train"])
    for epoch in range(start, args.epochs):
        t0 = time.perf_counter()
        # Per-epoch seeds make a resumed run draw the same batches as an uninterrupted one.
        rng = np.random.default_rng([args.seed, epoch])
        gen = torch.Generator().manual_seed(args.seed * 1000 + epoch)
        strong = epoch < args.epochs - args.light_epochs
        order = rng.permutation(n_train)
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for b in range(steps_per_epoch):
            step = epoch * steps_per_epoch + b
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, total_steps, warmup, args.lr)
            index = np.sort(order[b * args.batch_size:(b + 1) * args.batch_size])
            x = batch_for(data, index, strong, rng, gen, args)
            y = labels[index]
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=args.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            update_ema(ema, model, args.ema_decay)
            loss_sum += loss.item() * len(index)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(index)
        seconds = time.perf_counter() - t0
        message = (f"epoch {epoch + 1}/{args.epochs} {'strong' if strong else 'light'} "
                   f"loss {loss_sum / seen:.4f} train_acc {correct / seen:.4f} "
                   f"lr {optimizer.param_groups[0]['lr']:.4f} {seconds:.1f} s/epoch")
        last = epoch + 1 == args.epochs
        if (epoch + 1) % args.eval_every == 0 or last:
            message += f" val_acc_ema {accuracy(ema, data['val64'], data['y_val']):.4f}"
            if last:
                message += f" val_acc_model {accuracy(model, data['val64'], data['y_val']):.4f}"
        log(message)
        if (epoch + 1) % args.ckpt_every == 0 or last:
            tmp = ckpt_path.with_suffix(".tmp")
            torch.save({"model": model.state_dict(), "ema": ema.state_dict(),
                        "optimizer": optimizer.state_dict(), "epoch": epoch + 1}, tmp)
            tmp.replace(ckpt_path)
    ema.eval()
    return {"model": ema, "classes": folders, "val": (data["val64"], data["y_val"]), "log": log}


def load_finished(args: argparse.Namespace) -> dict:
    """The EMA model of a finished run in ``work_dir``, with the training command read from its log."""
    log = Logger(args.work_dir / "train.log")
    ckpt = torch.load(args.work_dir / "checkpoint.pt", weights_only=True)
    if int(ckpt["epoch"]) != args.epochs:
        raise SystemExit(f"checkpoint is at epoch {ckpt['epoch']}, not the final epoch {args.epochs}")
    data = load_cache(args.data, args.cache, crop_size=args.crop_size, log=log)
    args.n_train = len(data["y_train"]) if not args.subset else args.subset
    model = TinyVGG(args.arch, len(data["folders"]))
    model.load_state_dict(ckpt["ema"])
    lines = [ln for ln in (args.work_dir / "train.log").read_text().splitlines() if "] command: " in ln]
    command = lines[0].split("] command: ", 1)[1]
    log(f"export only, from {args.work_dir / 'checkpoint.pt'} (trained by: {command})")
    return {"model": model.eval(), "classes": [str(f) for f in data["folders"]],
            "val": (data["val64"], data["y_val"]), "log": log, "command": command}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = "python " + shlex.join(["scripts/train_tinyvgg.py", *(sys.argv[1:] if argv is None else argv)])
    if args.export_only:
        result = load_finished(args)
        command = result["command"]
    else:
        result = train(args, command)
    export_model(result["model"], result["classes"], *result["val"], out_dir=args.out_dir,
                 args=args, command=command, log=result["log"])


if __name__ == "__main__":
    main()
