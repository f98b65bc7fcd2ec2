# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the docs site pages (``docs/docsite/rst/<ref>.rst``) from the Markdown guides (``docs/<ref>.md``).

Usage: ``python tests/utils/build_guides.py [REPO_ROOT]``

The guides have one source, the Markdown in ``docs/``, which GitHub shows as it is and which
README.md links to. The collection's docs site (antsibull-docs, Automation Hub) shows only
reStructuredText pages listed in ``docs/docsite/extra-docs.yml``: they are made by this script
at build time (the build, lint and docs sessions of noxfile.py run it) and are not committed.

The conversion is pandoc's (GitHub-flavoured Markdown to reStructuredText, through the PyPI
package pypandoc-binary, which ships pandoc). This script only walks pandoc's document tree in
between, for what pandoc cannot know about the site:

* each page gets the label ``ansible_collections.<namespace>.<name>.docsite.<ref>`` and each
  heading that label plus its GitHub anchor, so that a link to ``other.md#some-heading``
  becomes a ``:ref:`` to that heading;
* a link to another file of the repository becomes a link to it on the repository's web site
  (``repository`` in galaxy.yml);
* HTML comments are dropped.

A link to a guide, a heading or a file that does not exist is an error, and so is a guide in
``docs/`` that ``extra-docs.yml`` does not list.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import posixpath
import re
import sys

import pypandoc
import yaml

READER = "gfm"
WRITER_ARGS = ["--wrap=none"]


class GuideError(Exception):
    """A guide that cannot be converted: a broken link, say."""


def stringify(inlines) -> str:
    """The plain text of pandoc inline elements."""
    out = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind == "Code":
            out.append(content[1])
        elif kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Underline"):
            out.append(stringify(content))
        elif kind in ("Link", "Span", "Quoted", "Cite"):
            out.append(stringify(content[1] if kind != "Quoted" else content[1]))
    return "".join(out)


class Site:
    """The guides to make, their headings, and what a link from one of them may point at."""

    def __init__(self, repo: pathlib.Path):
        self.repo = repo
        galaxy = yaml.safe_load((repo / "galaxy.yml").read_text(encoding="utf-8"))
        self.prefix = "ansible_collections.%s.%s.docsite." % (galaxy["namespace"], galaxy["name"])
        self.web = str(galaxy.get("repository") or "").rstrip("/")
        index = yaml.safe_load((repo / "docs" / "docsite" / "extra-docs.yml").read_text(encoding="utf-8")) or {}
        self.pages = [entry if isinstance(entry, str) else entry["ref"]
                      for section in index.get("sections") or [] for entry in section.get("toctree") or []]
        self.trees = {}
        for page in self.pages:
            source = repo / "docs" / (page + ".md")
            if not source.is_file():
                raise GuideError("docs/docsite/extra-docs.yml lists %s, but there is no docs/%s.md" % (page, page))
            self.trees[page] = json.loads(pypandoc.convert_file(str(source), "json", format=READER))
        self.anchors = {page: [b["c"][1][0] for b in tree["blocks"] if b["t"] == "Header"]
                        for page, tree in self.trees.items()}

    def label(self, page: str, anchor: str | None = None) -> str:
        return self.prefix + page + ("." + anchor if anchor else "")

    def resolve(self, page: str, target: str):
        """``("ref", label)`` or ``("url", url)`` for the target of a link in ``page``."""
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return "url", target
        path, dummy, anchor = target.partition("#")
        rel = "docs/%s.md" % page if not path else posixpath.normpath(posixpath.join("docs", path))
        if rel == ".." or rel.startswith("../"):
            raise GuideError("%s.md: the link %s leaves the repository" % (page, target))
        linked = rel[len("docs/"):-len(".md")] if rel.startswith("docs/") and rel.endswith(".md") else None
        if linked in self.anchors:
            if anchor and anchor not in self.anchors[linked]:
                raise GuideError("%s.md: the link %s names no heading of docs/%s.md" % (page, target, linked))
            return "ref", self.label(linked, anchor or None)
        full = self.repo / rel
        if not full.exists():
            raise GuideError("%s.md: the link %s points at %s, which does not exist" % (page, target, rel))
        if linked is not None and "/" not in linked:
            raise GuideError("%s.md: the link %s is to a guide that docs/docsite/extra-docs.yml does not list" % (
                page, target))
        if not self.web:
            raise GuideError("%s.md: the link %s needs repository in galaxy.yml" % (page, target))
        kind = "tree" if full.is_dir() else "blob"
        return "url", "%s/%s/main/%s%s" % (self.web, kind, rel, "#" + anchor if anchor else "")

    # ------------------------------------------------------------------------ the document tree

    def _link(self, page, link):
        attr, text, (target, title) = link["c"]
        how, where = self.resolve(page, target)
        if how == "ref":
            label_text = stringify(text).replace("<", "\\<").replace("`", "")
            return {"t": "RawInline", "c": ["rst", ":ref:`%s <%s>`" % (label_text, where)]}
        self._walk(page, text)
        return {"t": "Link", "c": [attr, text, [where, title]]}

    def _walk(self, page, node):
        """Rewrite the links and drop the HTML of ``node`` (a list of the tree), in place."""
        i = 0
        while i < len(node):
            item = node[i]
            if isinstance(item, dict) and "t" in item:
                if item["t"] in ("RawBlock", "RawInline") and item["c"][0] == "html":
                    del node[i]
                    continue
                if item["t"] == "Link":
                    node[i] = self._link(page, item)
                elif isinstance(item.get("c"), list):
                    self._walk(page, item["c"])
            elif isinstance(item, list):
                self._walk(page, item)
            i += 1

    def convert(self, page: str) -> str:
        tree = self.trees[page]
        for number, block in enumerate(tree["blocks"]):
            if block["t"] == "Header":  # pandoc writes an identifier as a label before the heading
                first = number == 0 and block["c"][0] == 1
                block["c"][1][0] = self.label(page, None if first else block["c"][1][0])
        self._walk(page, tree["blocks"])
        body = pypandoc.convert_text(json.dumps(tree), "rst", format="json", extra_args=WRITER_ARGS)
        head = ".. Made from docs/%s.md by tests/utils/build_guides.py at build time: edit the Markdown.\n\n" % page
        return head + body.replace("\r\n", "\n").rstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", default=str(pathlib.Path(__file__).resolve().parents[2]),
                        help="the collection root (default: this checkout)")
    args = parser.parse_args()
    repo = pathlib.Path(args.repo).resolve()
    try:
        site = Site(repo)
        pages = {page: site.convert(page) for page in site.pages}
    except GuideError as exc:
        print("ERROR: %s" % exc, file=sys.stderr)
        return 1
    unlisted = sorted(p.stem for p in (repo / "docs").glob("*.md") if p.stem not in pages)
    if unlisted:
        for name in unlisted:
            print("ERROR: docs/%s.md is not listed in docs/docsite/extra-docs.yml, so the docs site lacks it" % name,
                  file=sys.stderr)
        return 1
    rst_dir = repo / "docs" / "docsite" / "rst"
    rst_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(rst_dir.glob("*.rst")):
        if stale.stem not in pages:
            stale.unlink()
    for page, text in pages.items():
        (rst_dir / (page + ".rst")).write_text(text, encoding="utf-8")
    print("docs site pages: %d made from docs/*.md with pandoc %s" % (len(pages), pypandoc.get_pandoc_version()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
