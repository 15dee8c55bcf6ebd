//! Byte offsets (what spans hold) and protocol positions (lines and UTF-16 code units, the
//! protocol's default encoding) of one text.

use lsp_types::{Position, Range};

pub struct LineIndex<'a> {
    text: &'a str,
    /// The byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { text, starts }
    }

    /// The position of a byte offset; an offset inside a character counts as its start, one
    /// past the end as the end.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let before = &self.text[self.starts[line]..self.floor(offset)];
        let column = before.chars().map(char::len_utf16).sum::<usize>();
        Position::new(u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position; one past the end of its line (or of the text) is clamped
    /// to that end, and one inside a surrogate pair to the character's start.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return self.text.len() };
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let mut units = 0;
        for (at, c) in line.char_indices() {
            units += c.len_utf16();
            if units > position.character as usize {
                return start + at;
            }
        }
        start + line.len()
    }

    fn floor(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        // `é` is two bytes and one unit, `𝄞` four bytes and two units.
        let text = "ab\ncé𝄞d\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), Position::new(0, 0));
        assert_eq!(index.position(3), Position::new(1, 0));
        let d = text.find('d').expect("d");
        assert_eq!(index.position(d), Position::new(1, 4));
        assert_eq!(index.offset(Position::new(1, 4)), d);
        assert_eq!(index.offset(Position::new(1, 2)), text.find('𝄞').expect("clef"));
        // Inside the pair: the character's start.
        assert_eq!(index.offset(Position::new(1, 3)), text.find('𝄞').expect("clef"));
        assert_eq!(index.position(text.len()), Position::new(2, 4));
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
    }
}
