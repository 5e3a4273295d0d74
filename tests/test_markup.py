import pytest

from clarifications.markup import render_markdown


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<a href="https://example.org" onclick="steal()">x</a>', "onclick"),
        ("<style>body{display:none}</style>", "<style"),
        ('<iframe src="https://example.org"></iframe>', "<iframe"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ],
)
def test_dangerous_markup_is_removed(markdown, forbidden):
    assert forbidden not in render_markdown(markdown)


def test_ordinary_markdown_survives():
    html = render_markdown("**真相**：见 [通报](https://example.gov.cn/a)。\n\n- 一\n- 二")
    assert "<strong>真相</strong>" in html
    assert '<a href="https://example.gov.cn/a" rel="noopener noreferrer">通报</a>' in html
    assert "<li>一</li>" in html


def test_empty_body_renders_empty():
    assert render_markdown("") == ""
