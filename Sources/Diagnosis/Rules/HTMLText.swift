extension StringProtocol {
    /// The text of an HTML fragment outside its tags, each line break read as a space and each tag as
    /// `tag`: "" keeps inline markup from splitting a word (`<a>link</a>.`), " " keeps block elements from
    /// gluing theirs (`</title>…<h1>`). Error pages are read this way, never parsed as documents.
    func textOutsideTags(tag: String = "") -> String {
        var text = ""
        var inTag = false
        for character in self {
            if character == "<" {
                inTag = true
            } else if character == ">" {
                inTag = false
                text += tag
            } else if !inTag {
                text.append(character.isNewline ? " " : character)
            }
        }
        return text
    }
}
