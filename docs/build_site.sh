#!/usr/bin/env bash
# Build the collection's documentation site (HTML) with antsibull-docs and Sphinx, offline:
# every plugin and module page, the collection index, and the guides listed in
# docs/docsite/extra-docs.yml (made from docs/*.md with pandoc by tests/utils/build_guides.py,
# which this script runs first).
#
#     bash docs/build_site.sh [OUTPUT_DIR]
#
# OUTPUT_DIR (default: ${TMPDIR:-/tmp}/alibabacloud.sgw-docsite) receives the Sphinx project that
# "antsibull-docs sphinx-init --use-current" makes, and the site in OUTPUT_DIR/build/html
# (open index.html).  The tools come from PATH: antsibull-docs, sphinx-build and
# sphinx-ansible-theme (pip install -r tests/requirements-tools.txt; "python3 -m nox -s docs"
# runs this script in a virtualenv that has them).
#
# Nothing is downloaded: the collection is documented as this checkout has it, and Sphinx's
# intersphinx links to the Ansible documentation resolve through a small local inventory of
# the few labels the pages use.  Any Sphinx warning fails the build.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO="$(pwd -P)"
OUT="${1:-${TMPDIR:-/tmp}/alibabacloud.sgw-docsite}"
for tool in antsibull-docs sphinx-build python; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "docs/build_site.sh: $tool not found; run python3 -m nox -s docs, or pip install -r tests/requirements-tools.txt" >&2; exit 1; }
done
python tests/utils/build_guides.py "$PWD"
python -c 'import sphinx_ansible_theme' 2>/dev/null ||
    { echo "docs/build_site.sh: sphinx-ansible-theme is not installed (pip install -r tests/requirements-tools.txt)" >&2; exit 1; }

read -r NAMESPACE NAME VERSION < <(python -c 'import yaml; g = yaml.safe_load(open("galaxy.yml")); print(g["namespace"], g["name"], g["version"])')
FQCN="$NAMESPACE.$NAME"

# Ansible finds a collection only at .../ansible_collections/<namespace>/<name>: link the checkout there.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/ansible_collections/$NAMESPACE"
ln -s "$REPO" "$WORK/ansible_collections/$NAMESPACE/$NAME"
export ANSIBLE_COLLECTIONS_PATH="$WORK" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_HOME="$WORK/ansible-home"

rm -rf "$OUT"
mkdir -p "$OUT"
antsibull-docs sphinx-init --use-current --lenient --fail-on-error --dest-dir "$OUT" \
    --project "$FQCN" --title "$FQCN $VERSION" --copyright "$FQCN contributors" "$FQCN" >/dev/null

# Offline, Sphinx cannot fetch the inventories of docs.python.org, jinja and docs.ansible.com:
# keep only the Ansible one, read from a local file that lists the labels the pages refer to.
python - "$OUT" <<'EOF'
import pathlib, re, sys, zlib

out = pathlib.Path(sys.argv[1])
base = "https://docs.ansible.com/projects/ansible/devel/"
labels = {  # label -> (page, title) on docs.ansible.com: the ones antsibull-docs' pages refer to
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
}
lines = "".join("%s std:label -1 %s %s\n" % (label, page, title) for label, (page, title) in sorted(labels.items()))
header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
          "# The remainder of this file is compressed using zlib.\n")
(out / "ansible_devel.inv").write_bytes(header.encode() + zlib.compress(lines.encode()))
conf = out / "conf.py"
text = conf.read_text(encoding="utf-8")
mapping = "intersphinx_mapping = {\n    'ansible_devel': (%r, (None, '../ansible_devel.inv')),\n}\n" % base
text, count = re.subn(r"^intersphinx_mapping = \{\n.*?^\}\n", mapping, text, flags=re.S | re.M)
if count != 1:
    sys.exit("docs/build_site.sh: no intersphinx_mapping in %s" % conf)
conf.write_text(text, encoding="utf-8")
EOF

# What build.sh (made by sphinx-init) does, with Sphinx warnings as errors.
mkdir -p "$OUT/rst"
chmod og-w "$OUT/rst"
(cd "$OUT" && antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --use-current \
    --fail-on-error --dest-dir rst "$FQCN" >/dev/null)
(cd "$OUT" && sphinx-build -M html rst build -c . -W --keep-going -q)

HTML="$OUT/build/html"
COLLECTION_HTML="$HTML/collections/$NAMESPACE/$NAME"
missing=()
for page in "$HTML/index.html" "$COLLECTION_HTML/index.html"; do
    [[ -f "$page" ]] || missing+=("$page")
done
for plugin in plugins/*/*.py; do
    kind="$(basename "$(dirname "$plugin")")"
    stem="$(basename "$plugin" .py)"
    case "$kind" in
        modules) page="${stem}_module.html" ;;
        inventory | lookup | filter | test | callback | connection) page="${stem}_${kind}.html" ;;
        *) continue ;;
    esac
    [[ "$stem" == _* || -f "$COLLECTION_HTML/$page" ]] || missing+=("$COLLECTION_HTML/$page")
done
while read -r ref; do
    [[ -f "$COLLECTION_HTML/docsite/$ref.html" ]] || missing+=("$COLLECTION_HTML/docsite/$ref.html")
done < <(python -c '
import yaml
for section in yaml.safe_load(open("docs/docsite/extra-docs.yml"))["sections"]:
    for entry in section["toctree"]:
        print(entry if isinstance(entry, str) else entry["ref"])')
if ((${#missing[@]})); then
    printf 'docs/build_site.sh: page not built: %s\n' "${missing[@]}" >&2
    exit 1
fi
echo "docs site of $FQCN $VERSION: $(find "$HTML" -name '*.html' | wc -l) pages, no warning; open $HTML/index.html"
