# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the reStructuredText pages of the docs site from the Markdown guides in docs/.

Usage: ``python tests/utils/md2rst.py [--check] [REPO_ROOT]``

The guides are written in Markdown (``docs/<name>.md``), which GitHub and Ansible Galaxy show as
they are.  The collection's docs site (antsibull-docs, Automation Hub, docs.ansible.com) shows
only reStructuredText pages listed in ``docs/docsite/extra-docs.yml``, so every page listed
there, ``docs/docsite/rst/<name>.rst``, is made from ``docs/<name>.md`` by this script.

It converts the Markdown these guides use: ATX headings, paragraphs, fenced code blocks, pipe
tables, bullet and numbered lists (nested, with code blocks inside), code spans, links,
``**strong**`` and ``*emphasis*``.  Each page gets the label
``ansible_collections.<namespace>.<name>.docsite.<name>`` and each heading one more (its GitHub
anchor appended), so that a link to ``other.md#some-heading`` becomes a ``:ref:`` to that
heading.  A link to any other file of the repository becomes a link to it on the repository's
web site (``repository`` in galaxy.yml).  A link to a file or anchor that does not exist is an
error.

With ``--check`` nothing is written: it fails when a page is missing or out of date, when an
rst file is not made from a guide, or when a guide in docs/ is not listed in extra-docs.yml.
"""

from __future__ import annotations

import argparse
import pathlib
import posixpath
import re
import sys
import unicodedata

import yaml

UNDERLINES = {1: "=", 2: "-", 3: "^", 4: "~", 5: '"', 6: "'"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])(\s+|$)")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
INLINE = re.compile(
    r"(?P<escaped>\\[!-/:-@\[-`{-~])"
    r"|(?P<code>(?P<ticks>`+)(?P<code_text>.+?)(?P=ticks))"
    r"|(?P<link>\[(?P<link_text>(?:[^\[\]`]|`[^`]*`)+)\]\((?P<link_target>[^()\s]+)\))"
    r"|(?P<auto><(?P<auto_target>https?://[^>\s]+)>)"
    r"|(?P<strong>\*\*(?P<strong_text>[^*\s](?:.*?[^*\s])?)\*\*)"
    r"|(?P<em>(?<![\w*])\*(?P<em_text>[^*\s](?:[^*]*?[^*\s])?)\*(?![\w*]))"
)
# What may come right before and after inline markup in reStructuredText.
BEFORE_MARKUP = set(" \t\n-:/'\"<([{")
AFTER_MARKUP = set(" \t\n-.,:;!?\\/'\")]}>")
LANGUAGES = {"": "text", "sh": "bash", "shell": "bash", "yml": "yaml"}


class ConversionError(Exception):
    """A guide that cannot be converted: a broken link, say."""


def slugify(text: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text).strip().lower()
    text = "".join(c for c in text if c in "-_ " or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def heading_slugs(markdown: str) -> list[str]:
    """The anchors of every heading of a Markdown document, in order, de-duplicated as GitHub does."""
    slugs, seen, fenced = [], {}, None
    for line in markdown.splitlines():
        fence = FENCE.match(line)
        if fence and (fenced is None or fence.group(2)[0] == fenced):
            fenced = None if fenced else fence.group(2)[0]
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            slug = slugify(match.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            slugs.append(slug if count == 0 else "%s-%d" % (slug, count))
    return slugs


def escape(text: str) -> str:
    """Plain text, with the characters that reStructuredText would read as markup escaped."""
    text = text.replace("\\", "\\\\")
    for char in "*`|":
        text = text.replace(char, "\\" + char)
    return re.sub(r"_(?=\W|$)", r"\\_", text)


class Site:
    """The pages to make, and what a link from one of them may point at."""

    def __init__(self, repo: pathlib.Path):
        self.repo = repo
        galaxy = yaml.safe_load((repo / "galaxy.yml").read_text(encoding="utf-8"))
        self.prefix = "ansible_collections.%s.%s.docsite." % (galaxy["namespace"], galaxy["name"])
        self.web = str(galaxy.get("repository") or "").rstrip("/")
        index = yaml.safe_load((repo / "docs" / "docsite" / "extra-docs.yml").read_text(encoding="utf-8")) or {}
        self.pages = []
        for section in index.get("sections") or []:
            for entry in section.get("toctree") or []:
                self.pages.append(entry if isinstance(entry, str) else entry["ref"])
        self.slugs = {}
        for page in self.pages:
            source = self.source(page)
            if not source.is_file():
                raise ConversionError("docs/docsite/extra-docs.yml lists %s, but there is no %s" % (
                    page, source.relative_to(repo)))
            self.slugs[page] = heading_slugs(source.read_text(encoding="utf-8"))

    def source(self, page: str) -> pathlib.Path:
        return self.repo / "docs" / (page + ".md")

    def target(self, page: str) -> pathlib.Path:
        return self.repo / "docs" / "docsite" / "rst" / (page + ".rst")

    def label(self, page: str, slug: str | None = None) -> str:
        return self.prefix + page + ("." + slug if slug else "")

    def resolve(self, page: str, target: str) -> tuple[str, str]:
        """``("ref", label)`` or ``("url", url)`` for the target of a link in ``page``."""
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return "url", target
        path, dummy, anchor = target.partition("#")
        if not path:
            rel = "docs/%s.md" % page
        else:
            rel = posixpath.normpath(posixpath.join("docs", path))
            if rel.startswith("../") or rel == "..":
                raise ConversionError("%s.md: the link %s leaves the repository" % (page, target))
        linked = rel[len("docs/"):-len(".md")] if rel.startswith("docs/") and rel.endswith(".md") else None
        if linked in self.slugs:
            if anchor and anchor not in self.slugs[linked]:
                raise ConversionError("%s.md: the link %s names no heading of docs/%s.md" % (page, target, linked))
            return "ref", self.label(linked, anchor or None)
        full = self.repo / rel
        if not full.exists():
            raise ConversionError("%s.md: the link %s points at %s, which does not exist" % (page, target, rel))
        if rel.endswith(".md") and rel.startswith("docs/") and "/" not in rel[len("docs/"):]:
            raise ConversionError("%s.md: the link %s is to a guide that docs/docsite/extra-docs.yml does not list"
                                  % (page, target))
        if not self.web:
            raise ConversionError("%s.md: the link %s needs repository in galaxy.yml" % (page, target))
        kind = "tree" if full.is_dir() else "blob"
        return "url", "%s/%s/main/%s%s" % (self.web, kind, rel, "#" + anchor if anchor else "")


class Converter:
    """One guide, Markdown in, reStructuredText out."""

    def __init__(self, site: Site, page: str):
        self.site = site
        self.page = page
        self.slugs = iter(site.slugs[page])

    # ---------------------------------------------------------------------------- inline

    def inline(self, text: str) -> str:
        text = " ".join(line.strip() for line in text.splitlines())
        parts = []  # (is_markup, text)
        position = 0
        for match in INLINE.finditer(text):
            if match.start() > position:
                parts.append((False, escape(text[position:match.start()])))
            if match.group("escaped"):  # a Markdown backslash escape: the character itself
                parts.append((False, escape(match.group("escaped")[1])))
            else:
                parts.append((True, self.markup(match)))
            position = match.end()
        if position < len(text):
            parts.append((False, escape(text[position:])))
        out = ""
        for index, (is_markup, chunk) in enumerate(parts):
            if is_markup:
                if out and out[-1] not in BEFORE_MARKUP:
                    out += "\\ "
                out += chunk
                following = parts[index + 1][1] if index + 1 < len(parts) else ""
                if following and following[0] not in AFTER_MARKUP:
                    out += "\\ "
            else:
                out += chunk
        return out

    def markup(self, match) -> str:
        if match.group("code"):
            code = match.group("code_text")
            code = code[1:-1] if len(code) > 2 and code[0] == " " and code[-1] == " " else code
            return "``%s``" % code
        if match.group("strong"):
            return "**%s**" % escape(match.group("strong_text"))
        if match.group("em"):
            return "*%s*" % escape(match.group("em_text"))
        if match.group("auto"):
            return "`%s <%s>`__" % (match.group("auto_target"), match.group("auto_target"))
        label_text = re.sub(r"`([^`]*)`", r"\1", match.group("link_text")).replace("<", "\\<")
        target = match.group("link_target")
        kind, where = self.site.resolve(self.page, target)
        if kind == "ref":
            if match.group("link_text").strip("`") == target.split("#")[0]:
                return ":ref:`%s`" % where  # the file name as text: show the title of the page or section
            return ":ref:`%s <%s>`" % (label_text, where)
        return "`%s <%s>`__" % (label_text, where)

    # ----------------------------------------------------------------------------- blocks

    def blocks(self, lines: list[str]) -> list[str]:
        """reStructuredText lines for a list of Markdown lines (one nesting level)."""
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.strip() or COMMENT.match(line):
                i += 1
                continue
            if FENCE.match(line):
                i = self.code(lines, i, out)
            elif HEADING.match(line):
                self.heading(HEADING.match(line), out)
                i += 1
            elif line.lstrip().startswith("|") and i + 1 < len(lines) and TABLE_SEPARATOR.match(lines[i + 1]):
                i = self.table(lines, i, out)
            elif LIST_ITEM.match(line):
                i = self.list(lines, i, out)
            else:
                i = self.paragraph(lines, i, out)
            out.append("")
        return out

    def starts_block(self, line: str) -> bool:
        return bool(FENCE.match(line) or HEADING.match(line) or LIST_ITEM.match(line)
                    or line.lstrip().startswith("|"))

    def code(self, lines, i, out) -> int:
        match = FENCE.match(lines[i])
        indent, fence, language = len(match.group(1)), match.group(2), match.group(3).lower()
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*%s%s*\s*$" % (re.escape(fence), re.escape(fence[0])), lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i].lstrip())
            i += 1
        out.append(".. code-block:: %s" % LANGUAGES.get(language, language))
        out.append("")
        out.extend(("   " + line).rstrip() for line in body)
        return i + 1

    def heading(self, match, out) -> None:
        level = len(match.group(1))
        slug = next(self.slugs)
        title = self.inline(match.group(2))
        out.append(".. _%s:" % self.site.label(self.page, None if level == 1 else slug))
        out.append("")
        out.append(title)
        out.append(UNDERLINES[level] * max(len(title), 3))

    def table(self, lines, i, out) -> int:
        def cells(row: str) -> list[str]:
            row = row.strip()
            row = row[1:] if row.startswith("|") else row
            row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
            return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)]

        header = cells(lines[i])
        rows = []
        i += 2
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            rows.append(cells(lines[i]))
            i += 1
        out.extend([".. list-table::", "   :header-rows: 1", "   :widths: auto", ""])
        for row in [header] + rows:
            row = (row + [""] * len(header))[:len(header)]
            for index, cell in enumerate(row):
                text = self.inline(cell) if cell else "\\ "
                out.append(("   * - " if index == 0 else "     - ") + text)
        return i

    def list(self, lines, i, out) -> int:
        first = LIST_ITEM.match(lines[i])
        base = len(first.group(1))
        ordered = first.group(2)[0].isdigit()
        while i < len(lines):
            match = LIST_ITEM.match(lines[i])
            if not match or len(match.group(1)) != base or match.group(2)[0].isdigit() != ordered:
                break
            content_indent = len(match.group(0))
            item = [lines[i][content_indent:]]
            i += 1
            while i < len(lines):
                line = lines[i]
                if not line.strip():
                    following = next((l for l in lines[i + 1:] if l.strip()), None)
                    if following is None:
                        break
                    lead = len(following) - len(following.lstrip())
                    if lead >= content_indent:
                        item.append("")
                        i += 1
                        continue
                    break
                lead = len(line) - len(line.lstrip())
                if lead >= content_indent:
                    item.append(line[content_indent:])
                elif item[-1].strip() and not self.starts_block(line) and not LIST_ITEM.match(line):
                    item.append(line.strip())  # a lazy continuation line of the item's paragraph
                else:
                    break
                i += 1
            marker = "#. " if ordered else "- "
            body = self.blocks(item)
            while body and not body[-1]:
                body.pop()
            for number, text in enumerate(body):
                prefix = marker if number == 0 else " " * len(marker)
                out.append((prefix + text).rstrip() if text else "")
            out.append("")
            while i < len(lines) and not lines[i].strip():
                following = next((l for l in lines[i:] if l.strip()), "")
                match = LIST_ITEM.match(following)
                if match and len(match.group(1)) == base:
                    i += 1
                else:
                    break
        while out and not out[-1]:
            out.pop()
        return i

    def paragraph(self, lines, i, out) -> int:
        text = []
        while i < len(lines) and lines[i].strip() and not (text and self.starts_block(lines[i])):
            text.append(lines[i])
            i += 1
        rst = self.inline("\n".join(text))
        # A paragraph that reStructuredText would take for an enumerated list ("A. ...", "2) ...").
        if re.match(r"^([A-Za-z]|[0-9]+|[ivxlcdmIVXLCDM]+)[.)]\s", rst):
            rst = "\\" + rst
        out.append(rst)
        return i

    def convert(self) -> str:
        source = self.site.source(self.page)
        lines = source.read_text(encoding="utf-8").splitlines()
        body = self.blocks(lines)
        while body and not body[-1]:
            body.pop()
        head = [".. Made from docs/%s.md by tests/utils/md2rst.py: edit that file, then run the script." % self.page,
                ""]
        return "\n".join(head + body) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail when a page is out of date")
    parser.add_argument("repo", nargs="?", default=str(pathlib.Path(__file__).resolve().parents[2]),
                        help="the collection root (default: this checkout)")
    args = parser.parse_args()
    repo = pathlib.Path(args.repo).resolve()
    try:
        site = Site(repo)
        pages = {page: Converter(site, page).convert() for page in site.pages}
    except ConversionError as exc:
        print("ERROR: %s" % exc)
        return 1

    problems = []
    unlisted = sorted(p.stem for p in (repo / "docs").glob("*.md") if p.stem not in pages)
    for name in unlisted:
        problems.append("docs/%s.md is not listed in docs/docsite/extra-docs.yml, so the docs site lacks it" % name)
    rst_dir = repo / "docs" / "docsite" / "rst"
    for stale in sorted(rst_dir.glob("*.rst")) if rst_dir.is_dir() else []:
        if stale.stem not in pages:
            if args.check:
                problems.append("%s is not made from a guide listed in extra-docs.yml" % stale.relative_to(repo))
            else:
                stale.unlink()
                print("removed %s" % stale.relative_to(repo))
    for page, text in pages.items():
        target = site.target(page)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        if args.check:
            problems.append("%s is out of date: run python tests/utils/md2rst.py" % target.relative_to(repo))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print("wrote %s" % target.relative_to(repo))
    for problem in problems:
        print("ERROR: %s" % problem)
    if problems:
        return 1
    print("docs site pages: %d, made from docs/*.md and up to date" % len(pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
