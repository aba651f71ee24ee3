//! HTML to text as a reader sees it: block elements (paragraphs, list items, headings, table
//! rows, `<br>`) start new lines, runs of spaces collapse, list items get a dash, and what is not
//! content (scripts, styles, menus, footers, forms, hidden elements) is left out. Parsing is
//! html5ever's (through `scraper`), so broken markup reads as a browser would read it.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

/// Elements whose content is never text of the page: code, styles, navigation, page chrome,
/// forms and embedded objects. (A `<header>` is chrome outside the content only.)
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "nav", "footer", "aside", "form", "button",
    "select", "option", "input", "textarea", "svg", "canvas", "iframe", "object", "embed",
    "dialog", "menu",
];

/// ARIA roles of page chrome.
const SKIPPED_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "search",
    "complementary",
    "menu",
    "menubar",
    "dialog",
    "alert",
];

/// Elements that stand on lines of their own.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "hr",
    "details",
    "summary",
    "fieldset",
    "body",
    "html",
    "caption",
];

/// Deepest nesting of elements read. The HTML parser's work grows with the square of the depth
/// (each start tag looks through the open elements), so deeper markup is not parsed: no page
/// people read nests anywhere near this deep.
pub(crate) const MAX_NESTING: usize = 4000;

/// Elements that hold no others, or that the parser closes by itself when the next one starts:
/// they do not deepen the nesting.
const UNNESTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "!doctype",
];

/// How deep the elements of some markup nest, counted from its tags (a close tag ends the
/// innermost open one; scripts and styles are skipped). Cheap, and an upper bound for what the
/// parser builds in all but broken markup.
pub(crate) fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while let Some(found) = memchr_lt(&bytes[at..]) {
        let start = at + found + 1;
        at = start;
        match bytes.get(start) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                let end = bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .map_or(bytes.len(), |n| start + n);
                let name = html[start..end].to_ascii_lowercase();
                if name == "script" || name == "style" {
                    let close = format!("</{name}");
                    let rest = html[end..].to_ascii_lowercase();
                    at = rest.find(&close).map_or(bytes.len(), |n| end + n);
                    continue;
                }
                if !UNNESTED.contains(&name.as_str()) {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            _ => {}
        }
    }
    deepest
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// The text of an HTML fragment (a feed item's description, a JSON-LD description). Markup
/// nested deeper than [`MAX_NESTING`] is read as text with its tags left out.
pub(crate) fn fragment_to_text(html: &str) -> String {
    if nesting_depth(html) > MAX_NESTING {
        return without_tags(html);
    }
    let parsed = Html::parse_fragment(html);
    let text = text_under(parsed.root_element(), true);
    // Escaped markup ("&lt;p&gt;Hello&lt;/p&gt;") comes out as markup: read it once more.
    if looks_like_markup(&text) {
        text_under(Html::parse_fragment(&text).root_element(), true)
    } else {
        text
    }
}

/// Text with everything between `<` and `>` left out and white space collapsed: for markup too
/// deep to parse.
fn without_tags(html: &str) -> String {
    let mut out = Lines::default();
    let mut inside = false;
    let mut run = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                inside = true;
                out.push_text(&run, false);
                out.space();
                run.clear();
            }
            '>' if inside => inside = false,
            _ if !inside => run.push(c),
            _ => {}
        }
    }
    out.push_text(&run, false);
    out.finish()
}

/// Whether text still holds HTML tags.
fn looks_like_markup(text: &str) -> bool {
    [
        "<p>", "<p ", "<br", "<li>", "<div", "<ul>", "<strong>", "</p>",
    ]
    .iter()
    .any(|t| text.contains(t))
}

/// The text under an element, with page chrome left out. Inside `<main>` or `<article>` (or a
/// fragment), a `<header>` is the content's own and is read; elsewhere it is the page's.
pub(crate) fn element_to_text(element: ElementRef<'_>) -> String {
    let content = !matches!(element.value().name(), "body" | "html");
    text_under(element, content)
}

fn text_under(element: ElementRef<'_>, content: bool) -> String {
    let mut out = Lines::default();
    walk(
        *element,
        &mut out,
        Context {
            pre: false,
            content,
        },
    );
    out.finish()
}

/// Whether an element is chrome or hidden.
pub(crate) fn is_skipped(element: &scraper::node::Element) -> bool {
    SKIPPED.contains(&element.name())
        || element.attr("hidden").is_some()
        || element
            .attr("aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || element
            .attr("role")
            .is_some_and(|r| SKIPPED_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
        || element.attr("style").is_some_and(|s| {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            s.to_ascii_lowercase().contains("display:none")
        })
}

/// Where in the page a node is.
#[derive(Debug, Clone, Copy)]
struct Context {
    /// Inside `<pre>`: white space kept.
    pre: bool,
    /// Inside the content (`<main>`, `<article>`, `role=main`, a fragment).
    content: bool,
}

/// What is left to do: a node to read, or the break after an element.
enum Step<'a> {
    Node(NodeRef<'a, Node>, Context),
    Space,
    Line,
    Paragraph,
}

/// Reads the nodes under `root` in document order, with a stack of its own: a page nested
/// thousands of elements deep is read as any other, without deep recursion.
fn walk(root: NodeRef<'_, Node>, out: &mut Lines, context: Context) {
    let mut steps: Vec<Step<'_>> = root
        .children()
        .rev()
        .map(|c| Step::Node(c, context))
        .collect();
    while let Some(step) = steps.pop() {
        let (node, context) = match step {
            Step::Node(node, context) => (node, context),
            Step::Space => {
                out.space();
                continue;
            }
            Step::Line => {
                out.break_line();
                continue;
            }
            Step::Paragraph => {
                out.blank_line();
                continue;
            }
        };
        let element = match node.value() {
            Node::Text(text) => {
                out.push_text(text, context.pre);
                continue;
            }
            Node::Element(element) => element,
            _ => continue,
        };
        let name = element.name();
        if is_skipped(element) || (name == "header" && !context.content) {
            continue;
        }
        let inner = Context {
            pre: context.pre || name == "pre",
            content: context.content
                || matches!(name, "main" | "article")
                || element
                    .attr("role")
                    .is_some_and(|r| r.trim().eq_ignore_ascii_case("main")),
        };
        match name {
            "br" => {
                out.break_line();
                continue;
            }
            "hr" => {
                out.blank_line();
                continue;
            }
            "img" => {
                if let Some(alt) = element.attr("alt").filter(|a| !a.trim().is_empty()) {
                    out.push_text(alt, false);
                }
                continue;
            }
            "td" | "th" => {
                out.space();
                steps.push(Step::Space);
            }
            _ if BLOCKS.contains(&name) => {
                let paragraph = matches!(
                    name,
                    "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table"
                );
                if paragraph {
                    out.blank_line();
                    steps.push(Step::Paragraph);
                } else {
                    out.break_line();
                    steps.push(Step::Line);
                }
                if name == "li" {
                    out.push_text("- ", true);
                }
            }
            _ => {}
        }
        steps.extend(node.children().rev().map(|c| Step::Node(c, inner)));
    }
}

/// Text being laid out in lines.
#[derive(Default)]
struct Lines {
    text: String,
    /// A space is owed before the next word.
    space: bool,
}

impl Lines {
    fn push_text(&mut self, text: &str, pre: bool) {
        if pre {
            self.text.push_str(text);
            self.space = false;
            return;
        }
        for (i, word) in text.split(is_space).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.space && !self.text.is_empty() && !self.text.ends_with(['\n', ' ']) {
                self.text.push(' ');
            }
            self.space = false;
            self.text.push_str(word);
        }
    }

    fn space(&mut self) {
        self.space = true;
    }

    fn break_line(&mut self) {
        self.trim_end();
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.space = false;
    }

    fn blank_line(&mut self) {
        self.break_line();
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    fn trim_end(&mut self) {
        let kept = self.text.trim_end_matches([' ', '\t']).len();
        self.text.truncate(kept);
    }

    fn finish(mut self) -> String {
        self.trim_end();
        let kept = self.text.trim_end().len();
        self.text.truncate(kept);
        self.text
    }
}

/// HTML's white space, and the no-break space that pages use as one.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\u{a0}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_make_lines_and_chrome_is_left_out() {
        let text = fragment_to_text(
            "<nav>Home | Jobs</nav><h2>Darbs  Norvēģijā</h2><p>Alga&nbsp;2000 EUR<br>Dzīvoklis \
             bez maksas</p><ul><li>bez pieredzes</li><li>bez valodas</li></ul>\
             <script>var x = 1;</script><footer>© site</footer><p hidden>secret</p>",
        );
        assert_eq!(
            text,
            "Darbs Norvēģijā\n\nAlga 2000 EUR\nDzīvoklis bez maksas\n\n- bez pieredzes\n- bez valodas"
        );
    }

    #[test]
    fn a_page_nested_deeper_than_any_stack_is_read() {
        let depth = 100_000;
        let html = format!("{}Darbs{}", "<div>".repeat(depth), "</div>".repeat(depth));
        assert_eq!(nesting_depth(&html), depth);
        assert_eq!(fragment_to_text(&html), "Darbs");
        // At the limit the parser reads it, and the walk needs no deep stack.
        let html = format!(
            "{}Darbs <b>Rīgā</b>{}",
            "<div>".repeat(MAX_NESTING - 1),
            "</div>".repeat(MAX_NESTING - 1)
        );
        assert_eq!(fragment_to_text(&html), "Darbs Rīgā");
        // Scripts, void and self-closing elements do not count.
        assert_eq!(
            nesting_depth("<p>a<p>b<br><img src=x><script>if (a<b) {}</script><div>c</div>"),
            1
        );
    }

    #[test]
    fn escaped_markup_is_read_twice() {
        let text = fragment_to_text("&lt;p&gt;Work in &lt;strong&gt;Oslo&lt;/strong&gt;&lt;/p&gt;");
        assert_eq!(text, "Work in Oslo");
    }

    #[test]
    fn inline_elements_keep_words_apart_only_where_the_source_does() {
        assert_eq!(
            fragment_to_text("<p>Sa<b>zinies</b> <i>ar</i> mums</p>"),
            "Sazinies ar mums"
        );
        assert_eq!(
            fragment_to_text("<table><tr><td>Alga</td><td>900</td></tr></table>"),
            "Alga 900"
        );
    }
}
