/// The closest candidate to a misspelt word, when one is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_a_transposition() {
        assert_eq!(closest("nmae", ["name", "path", "versions"]), Some("name"));
    }

    #[test]
    fn ignores_unrelated_words() {
        assert_eq!(closest("colour", ["name", "path"]), None);
    }
}
