//! Breaking text into lines that fit a width, measured with the font's real advances.

/// Characters that separate words; everything else (a no-break space included) belongs to a
/// word. Line breaks ("\n", "\r\n", "\r") start a new line; an empty line stays empty.
pub fn is_layout_whitespace(character: char) -> bool {
    matches!(character, ' ' | '\t' | '\n' | '\r')
}

/// Greedy word wrap: as many words per line as fit in `width`; a word wider than `width` on its
/// own is cut between characters, so nothing is ever drawn past the width. Returns at least
/// one line (empty for empty text).
pub fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let start = lines.len();
        let mut line = String::new();
        for word in paragraph.split([' ', '\t']).filter(|word| !word.is_empty()) {
            if line.is_empty() {
                place_word(word, width, &measure, &mut lines, &mut line);
                continue;
            }
            let joined = format!("{line} {word}");
            if measure(&joined) <= width {
                line = joined;
            } else {
                lines.push(std::mem::take(&mut line));
                place_word(word, width, &measure, &mut lines, &mut line);
            }
        }
        if !line.is_empty() || lines.len() == start {
            lines.push(line);
        }
    }
    lines
}

/// Starts a line with `word`, cutting it into pieces that fit when it is too wide (after its
/// last hyphen that fits, else between characters); the last piece stays in `line` so the next
/// word can join it.
fn place_word(
    word: &str,
    width: f32,
    measure: &impl Fn(&str) -> f32,
    lines: &mut Vec<String>,
    line: &mut String,
) {
    for character in word.chars() {
        line.push(character);
        // A piece always keeps its first character, even if that alone is wider than `width`.
        if measure(line) > width && line.chars().count() > 1 {
            line.pop();
            let cut = match line.rfind('-') {
                Some(hyphen) if hyphen > 0 && hyphen + 1 < line.len() => hyphen + 1,
                _ => line.len(),
            };
            let rest = line.split_off(cut);
            lines.push(std::mem::replace(line, rest));
            line.push(character);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is 1 unit wide, so widths are character counts.
    fn check(text: &str, width: f32, expected: &[&str]) {
        let measure = |line: &str| line.chars().count() as f32;
        assert_eq!(
            wrap(text, width, measure),
            expected,
            "wrap({text:?}, {width})"
        );
    }

    #[test]
    fn wraps_words_greedily() {
        check("", 10.0, &[""]);
        check("short", 10.0, &["short"]);
        check("one two three four", 9.0, &["one two", "three", "four"]);
        check("one two three four", 100.0, &["one two three four"]);
        check("  spaced \t out  ", 20.0, &["spaced out"]);
        check("exactly ten", 11.0, &["exactly ten"]);
    }

    #[test]
    fn cuts_words_wider_than_the_line() {
        check("abcdefghij", 4.0, &["abcd", "efgh", "ij"]);
        check("go abcdefghij ok", 4.0, &["go", "abcd", "efgh", "ij", "ok"]);
        check("abcdefghij ok", 5.0, &["abcde", "fghij", "ok"]);
        // Preferably after a hyphen.
        check("usage-metric-name", 10.0, &["usage-", "metric-", "name"]);
        check("a-bcdefghijk", 5.0, &["a-", "bcdef", "ghijk"]);
        check("x", 0.5, &["x"]);
    }

    #[test]
    fn keeps_line_breaks_and_empty_lines() {
        check("first\nsecond", 20.0, &["first", "second"]);
        check(
            "para one\r\n\r\npara two",
            20.0,
            &["para one", "", "para two"],
        );
        check("a\rb", 20.0, &["a", "b"]);
        check("no\u{a0}break here", 8.0, &["no\u{a0}break", "here"]);
    }
}
