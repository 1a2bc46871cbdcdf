//! A short list kept in place: the evaluator makes a few small lists for every patient (the
//! exposures of each dose the safety gate holds, the messages the rules said), and allocating
//! each was a measurable part of an evaluation. The first `N` items are kept in place; any more
//! go in a list after them, so a list of any length is kept, in order.

/// A list whose first `N` items are kept in place (see the module documentation).
pub(super) struct InlineList<T, const N: usize> {
    first: [Option<T>; N],
    /// How many of `first` are used (they fill in order and are never taken out).
    used: usize,
    more: Vec<T>,
}

impl<T, const N: usize> Default for InlineList<T, N> {
    fn default() -> Self {
        InlineList {
            first: std::array::from_fn(|_| None),
            used: 0,
            more: Vec::new(),
        }
    }
}

impl<T, const N: usize> InlineList<T, N> {
    /// Adds an item after those already there.
    pub(super) fn push(&mut self, item: T) {
        match self.first.get_mut(self.used) {
            Some(slot) => {
                *slot = Some(item);
                self.used += 1;
            }
            None => self.more.push(item),
        }
    }

    /// How many items there are.
    pub(super) fn len(&self) -> usize {
        self.used + self.more.len()
    }

    /// The items, in the order added.
    pub(super) fn iter(&self) -> impl Iterator<Item = &T> {
        self.first[..self.used].iter().flatten().chain(&self.more)
    }

    /// The items, in the order added, to change in place.
    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.first[..self.used]
            .iter_mut()
            .flatten()
            .chain(&mut self.more)
    }

    /// The items, in the order added, taken out of the list.
    pub(super) fn into_items(self) -> impl Iterator<Item = T> {
        self.first.into_iter().flatten().chain(self.more)
    }
}

#[cfg(test)]
mod tests {
    use super::InlineList;

    /// Past the items kept in place, the list goes on in order; nothing is lost or reordered.
    #[test]
    fn keeps_every_item_in_order_past_the_first() {
        for count in [0, 1, 3, 4, 5, 9, 100] {
            let mut list: InlineList<usize, 4> = InlineList::default();
            for i in 0..count {
                list.push(i);
            }
            let all: Vec<usize> = (0..count).collect();
            assert_eq!(list.len(), count);
            assert_eq!(list.iter().copied().collect::<Vec<_>>(), all);
            for x in list.iter_mut() {
                *x += 1;
            }
            let moved: Vec<usize> = list.into_items().collect();
            assert_eq!(moved, all.iter().map(|x| x + 1).collect::<Vec<_>>());
        }
    }

    /// A list that keeps none in place is a plain list.
    #[test]
    fn a_list_with_no_place_kept_is_a_plain_list() {
        let mut list: InlineList<&str, 0> = InlineList::default();
        list.push("a");
        list.push("b");
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), ["a", "b"]);
    }
}
