//! HTML to text as a reader sees it: block elements (paragraphs, list items, headings, table
//! rows, `<br>`) start new lines, runs of spaces collapse, list items get a dash, and what is not
//! content (scripts, styles, menus, footers, forms, hidden elements) is left out. Parsing is
//! html5ever's (through `scraper`), so broken markup reads as a browser would read it.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

/// Elements whose content is never text of the page: code, styles, navigation, page chrome,
/// forms and embedded objects.
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

/// The text of an HTML fragment (a feed item's description, a JSON-LD description).
pub(crate) fn fragment_to_text(html: &str) -> String {
    let parsed = Html::parse_fragment(html);
    let text = element_to_text(parsed.root_element());
    // Escaped markup ("&lt;p&gt;Hello&lt;/p&gt;") comes out as markup: read it once more.
    if looks_like_markup(&text) {
        element_to_text(Html::parse_fragment(&text).root_element())
    } else {
        text
    }
}

/// Whether text still holds HTML tags.
fn looks_like_markup(text: &str) -> bool {
    [
        "<p>", "<p ", "<br", "<li>", "<div", "<ul>", "<strong>", "</p>",
    ]
    .iter()
    .any(|t| text.contains(t))
}

/// The text under an element, with page chrome left out.
pub(crate) fn element_to_text(element: ElementRef<'_>) -> String {
    let mut out = Lines::default();
    walk(*element, &mut out, false);
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

fn walk(node: NodeRef<'_, Node>, out: &mut Lines, pre: bool) {
    for child in node.children() {
        match child.value() {
            Node::Text(text) => out.push_text(text, pre),
            Node::Element(element) => {
                if is_skipped(element) {
                    continue;
                }
                let name = element.name();
                match name {
                    "br" => out.break_line(),
                    "hr" => out.blank_line(),
                    "td" | "th" => {
                        out.space();
                        walk(child, out, pre);
                        out.space();
                    }
                    "img" => {
                        if let Some(alt) = element.attr("alt").filter(|a| !a.trim().is_empty()) {
                            out.push_text(alt, false);
                        }
                    }
                    _ if BLOCKS.contains(&name) => {
                        let paragraph = matches!(
                            name,
                            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table"
                        );
                        if paragraph {
                            out.blank_line();
                        } else {
                            out.break_line();
                        }
                        if name == "li" {
                            out.push_text("- ", true);
                        }
                        walk(child, out, pre || name == "pre");
                        if paragraph {
                            out.blank_line();
                        } else {
                            out.break_line();
                        }
                    }
                    _ => walk(child, out, pre),
                }
            }
            _ => {}
        }
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
