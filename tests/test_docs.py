"""The docs stay true: links between them resolve, pictures exist, the configuration page names exactly
the environment variables the settings read, and the README names every ``make help`` target.

The pages checked are README.md, CHANGELOG.md and docs/*.md. Anchors follow GitHub's rule for heading
ids (lower case, punctuation dropped, spaces to hyphens, ``-1``, ``-2`` for repeats)."""

import ast
import re

import pytest

from .servers import REPO

PAGES = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]
# Where the site and its app server read the environment (docs/configuration.md lists these).
SETTINGS_SOURCES = [
    *sorted((REPO / "config").glob("settings*.py")),
    REPO / "gunicorn.conf.py",
    REPO / "core/workers.py",
]

MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)="([^"]+)\"""")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def prose(text):
    """The text without code: fenced blocks, indented blocks and inline code spans."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    text = "\n".join(line for line in text.splitlines() if not line.startswith(("    ", "\t")))
    return re.sub(r"`[^`\n]*`", "", text)


def slug(heading):
    """GitHub's id for a heading: its text in lower case, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its words
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    seen = {}
    ids = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        match = None if in_fence or line.startswith("    ") else HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            ids.add(base if count == 0 else f"{base}-{count}")
    return ids


def links(path):
    text = prose(path.read_text(encoding="utf-8"))
    return MARKDOWN_LINK.findall(text) + HTML_LINK.findall(text)


def broken_links(path):
    """Each relative link of a page whose file, or whose heading, is not there."""
    broken = []
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: and the like
            continue
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        if not destination.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target} (no heading with that id in {destination.name})")
    return broken


def variables_read(path):
    """Names of the environment variables a module reads: os.environ[...], .get, .setdefault, ``in``,
    and the settings' own helpers (``env_bool("DEBUG", ...)`` and the like)."""

    def is_environ(node):
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    def reads(node):
        """The node that names the variable, when ``node`` reads one."""
        if isinstance(node, ast.Call) and node.args:
            helper = isinstance(node.func, ast.Name) and node.func.id.startswith("env_")
            method = isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "setdefault")
            if helper or (method and is_environ(node.func.value)):
                return node.args[0]
        if isinstance(node, ast.Subscript) and is_environ(node.value):
            return node.slice
        if isinstance(node, ast.Compare) and any(is_environ(each) for each in node.comparators):
            return node.left
        return None

    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = reads(node)
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            names.add(name.value)
    return names - {"DJANGO_SETTINGS_MODULE"}


def variables_documented(path):
    """Names in the first column of the configuration page's tables."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            names |= set(VARIABLE.findall(cells[1]))
    return names


def make_help_targets():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^help:\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
    return re.findall(r'@echo "make ([\w-]+)', recipe)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_link_between_the_docs_resolves(page):
    assert page.exists()
    assert broken_links(page) == []


def test_every_picture_the_docs_show_exists():
    pictures = [
        (page, target)
        for page in PAGES
        for target in links(page)
        if target.lower().endswith((".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif"))
    ]
    assert len(pictures) > 10  # the README's screenshots and the staff guides'
    assert [f"{page.name}: {target}" for page, target in pictures if not (page.parent / target).exists()] == []


def test_the_staff_guides_screenshots_are_small():
    staff = sorted((REPO / "docs/screenshots/staff").glob("*.png"))
    assert staff
    assert [path.name for path in staff if path.stat().st_size > 150 * 1024] == []


def test_the_configuration_page_names_every_variable_the_settings_read_and_no_other():
    read = set().union(*(variables_read(path) for path in SETTINGS_SOURCES))
    documented = variables_documented(REPO / "docs/configuration.md")
    assert {"SECRET_KEY", "DATABASE_URL", "TIPS_RATE", "BIND"} <= read
    assert sorted(read - documented) == [], "read by the settings but not in docs/configuration.md"
    assert sorted(documented - read) == [], "in docs/configuration.md but read by no setting"


def test_the_readme_names_every_make_help_target():
    targets = make_help_targets()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert {"run", "test", "ci"} <= set(targets)
    assert [target for target in targets if f"`make {target}`" not in readme] == []


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## Its part (`code`)\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[fine](other.md#its-part-code) [here](#page) [gone](missing.md) "
        "[no heading](other.md#nowhere) `[in code](missing.md)`\n\n    [indented code](missing.md)\n",
        encoding="utf-8",
    )
    assert broken_links(page) == ["missing.md (no such file)", "other.md#nowhere (no heading with that id in other.md)"]


def test_anchors_follow_githubs_heading_ids(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Casework: one lifecycle\n## Tips\n## Tips\n## 工作流程 (审核)\n", encoding="utf-8")
    assert anchors(page) == {"casework-one-lifecycle", "tips", "tips-1", "工作流程-审核"}
