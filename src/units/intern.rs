//! Interned units: every distinct unit is worked out once (its atoms, dimension, factor) and
//! stored once for the whole process, so that a [`Unit`](super::Unit) is a tagged pointer (16
//! bytes, where it was 112) that is copied and compared for almost nothing on the evaluator's
//! hot paths.
//!
//! How it stays fast with several threads (`posology cohort --jobs`): each thread looks a unit
//! up first in a small cache of its own (no lock, no shared write); only a miss reads the
//! process-wide table under a read lock, and only a unit never seen before takes the write lock.
//! Products and quotients of two interned units are remembered per thread as well.
//!
//! How it stays bounded against hostile input: a protocol or a patient file can write units
//! without end (`mg·mg·mg…`, exponents up to 127 on each of 30 atoms), so the table holds at
//! most [`CAPACITY`] units and is never emptied (an interned unit's data lives as long as the
//! process, which is what makes the handle a plain reference). A unit first seen once the table
//! is full is *spilled*: built the same way and reference-counted instead of interned. Nothing
//! but speed depends on which it is: equality looks at the atoms when a spilled unit is involved
//! (hashing always does), so a result never depends on what the process has seen before.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use super::atom::{Atom, ALL, ATOM_COUNT};
use super::dim::Dim;
use super::ratio::Ratio;

/// The exponent of each atom, indexed by [`Atom::index`].
pub(super) type Exponents = [i8; ATOM_COUNT];

/// The most units the process-wide table holds (a protocol uses tens; a cohort adds the few
/// spellings its patients use). At about 200 bytes a unit, a full table is under 2 MB.
pub(super) const CAPACITY: usize = 1 << 13;

/// Everything worked out once about a unit (see [`Unit`](super::Unit) for what each means).
#[derive(Clone, Debug)]
pub(super) struct UnitData {
    /// The exponent of each atom.
    pub exps: Exponents,
    /// The first `len` entries are the atoms with a nonzero exponent, in canonical order.
    pub atoms: [(Atom, i8); ATOM_COUNT],
    /// How many entries of `atoms` are used.
    pub len: u8,
    /// The atoms as a mask of [`Atom::index`] bits.
    pub present: u32,
    /// [`Unit::dim`](super::Unit::dim).
    pub dim: Dim,
    /// [`Unit::factor`](super::Unit::factor); `None` when it overflows.
    pub factor: Option<Ratio>,
    /// Multiplying by a plain number leaves the unit as it is, with factor 1: no `%` and no
    /// two atoms of one kind that [`Unit::mul`](super::Unit::mul) would cancel.
    pub normal: bool,
    /// The conversion factor from this unit to itself is 1 (it does not overflow).
    pub self_convertible: bool,
    /// A dimensionless unit with mass atoms (`mcg/g`): a plain number.
    pub mass_ratio: bool,
    /// [`Unit::render`](super::Unit::render) without and with the plural: (numerator,
    /// denominator), worked out once since every quantity shown prints its unit.
    pub text: [(Box<str>, Box<str>); 2],
    /// The unit's number in the process-wide table ([`SPILLED`] if it is not in it): what the
    /// per-thread product cache is keyed by.
    pub id: u32,
    /// Whether `· day ÷ day` gives this very unit back with a factor of 1 each way (see
    /// [`Unit::per_day_unchanged`](super::Unit::per_day_unchanged)), worked out the first time
    /// it is asked: it depends on the unit alone, and every dose's daily total asks it.
    pub per_day_unchanged: std::sync::OnceLock<bool>,
}

/// The `id` of a unit that is not in the process-wide table.
pub(super) const SPILLED: u32 = u32::MAX;

/// A unit as held in a [`Unit`](super::Unit): interned (one reference, compared by address) or,
/// once the table is full, spilled (counted, compared by its atoms).
#[derive(Clone, Debug)]
pub(super) enum Handle {
    /// In the process-wide table for the rest of the process.
    Interned(&'static UnitData),
    /// Not in the table (it was full when the unit was first made).
    Spilled(Arc<UnitData>),
}

impl Handle {
    /// The unit's data.
    #[inline]
    pub fn data(&self) -> &UnitData {
        match self {
            Handle::Interned(data) => data,
            Handle::Spilled(data) => data,
        }
    }
}

/// A hash of a unit's exponents (FxHash-like over 8-byte words): cheap, and the same on every
/// run, so that cache slots do not depend on a random seed.
fn key_hash(exps: &Exponents) -> u64 {
    let mut h: u64 = 0;
    for chunk in exps.chunks(8) {
        let mut word = [0u8; 8];
        for (w, e) in word.iter_mut().zip(chunk) {
            *w = e.to_ne_bytes()[0];
        }
        h = (h.rotate_left(5) ^ u64::from_ne_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^ (h >> 29)
}

/// The process-wide table: each distinct unit's data, leaked so that handles to it are plain
/// references; at most `capacity` of them.
pub(super) struct Interner {
    units: RwLock<HashMap<Exponents, &'static UnitData>>,
    capacity: usize,
}

impl Interner {
    /// An empty table that will hold at most `capacity` units.
    pub fn new(capacity: usize) -> Interner {
        Interner {
            units: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// The interned unit with these exponents, if there is one.
    fn get(&self, exps: &Exponents) -> Option<&'static UnitData> {
        let units = self.units.read().unwrap_or_else(PoisonError::into_inner);
        units.get(exps).copied()
    }

    /// The unit with `data`'s exponents: the interned one if the table has it or has room for
    /// it, else `data` spilled. (`data` is built before the lock is taken, so a miss never holds
    /// the write lock while a unit's factor is worked out.)
    pub fn intern(&self, data: UnitData) -> Handle {
        if let Some(found) = self.get(&data.exps) {
            return Handle::Interned(found);
        }
        // A poisoned lock still holds a consistent table: an insertion is one call.
        let mut units = self.units.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = units.get(&data.exps) {
            return Handle::Interned(found);
        }
        if units.len() >= self.capacity {
            return Handle::Spilled(Arc::new(data));
        }
        Handle::Interned(insert(&mut units, data))
    }

    /// Interns `data` whatever the capacity (the units of [`Global`], which come first).
    fn intern_base(&self, data: UnitData) -> &'static UnitData {
        let mut units = self.units.write().unwrap_or_else(PoisonError::into_inner);
        match units.get(&data.exps) {
            Some(found) => found,
            None => insert(&mut units, data),
        }
    }

    /// How many units the table holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.units
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Adds `data` (not in `units`) to the table for the rest of the process.
fn insert(
    units: &mut HashMap<Exponents, &'static UnitData>,
    mut data: UnitData,
) -> &'static UnitData {
    data.id = units.len() as u32;
    let leaked: &'static UnitData = Box::leak(Box::new(data));
    units.insert(leaked.exps, leaked);
    leaked
}

/// The process-wide table, with the units every protocol uses already in it.
struct Global {
    interner: Interner,
    /// The unit of a plain number.
    none: &'static UnitData,
    /// Each atom alone, by [`Atom::index`].
    atoms: [&'static UnitData; ATOM_COUNT],
}

/// The process-wide table, made on first use.
fn global() -> &'static Global {
    static GLOBAL: OnceLock<Global> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let interner = Interner::new(CAPACITY);
        let interned =
            |exps: &Exponents, present| interner.intern_base(UnitData::new(exps, present));
        let none = interned(&[0; ATOM_COUNT], 0);
        let atoms = ALL.map(|atom| {
            let mut exps = [0; ATOM_COUNT];
            exps[atom.index()] = 1;
            interned(&exps, 1 << atom.index())
        });
        Global {
            interner,
            none,
            atoms,
        }
    })
}

/// The unit of a plain number.
pub(super) fn none() -> Handle {
    Handle::Interned(global().none)
}

/// The unit of one atom.
pub(super) fn atom(atom: Atom) -> Handle {
    Handle::Interned(global().atoms[atom.index()])
}

/// Slots in each thread's cache of interned units (a power of two).
const LOOKUP_SLOTS: usize = 256;

/// Slots in each thread's cache of products of units (a power of two).
const PRODUCT_SLOTS: usize = 256;

/// One remembered product: `(left id, right id, sign)` → the unit and the factor.
type ProductEntry = Option<(u32, u32, i8, &'static UnitData, Ratio)>;

thread_local! {
    /// Recently interned units, by [`key_hash`]: most lookups end here, without a lock.
    static LOOKUP: [Cell<Option<&'static UnitData>>; LOOKUP_SLOTS] =
        const { [const { Cell::new(None) }; LOOKUP_SLOTS] };
    /// Recent `left · right^sign` of interned units ([`Unit::mul`](super::Unit::mul) and
    /// [`Unit::div`](super::Unit::div)): a protocol multiplies the same few units over and over.
    static PRODUCTS: [Cell<ProductEntry>; PRODUCT_SLOTS] =
        const { [const { Cell::new(None) }; PRODUCT_SLOTS] };
}

/// The unit with these exponents (`present` is the mask of the nonzero ones): from this
/// thread's cache, else the process-wide table, else built and interned (or spilled).
pub(super) fn lookup(exps: &Exponents, present: u32) -> Handle {
    let hash = key_hash(exps);
    let slot = hash as usize & (LOOKUP_SLOTS - 1);
    let cached = LOOKUP.with(|cache| cache[slot].get());
    if let Some(data) = cached.filter(|d| d.exps == *exps) {
        return Handle::Interned(data);
    }
    let interner = &global().interner;
    let handle = match interner.get(exps) {
        Some(found) => Handle::Interned(found),
        None => interner.intern(UnitData::new(exps, present)),
    };
    if let Handle::Interned(data) = handle {
        LOOKUP.with(|cache| cache[slot].set(Some(data)));
    }
    handle
}

/// The slot of `(left, right, sign)` in [`PRODUCTS`].
fn product_slot(left: u32, right: u32, sign: i8) -> usize {
    let h = (u64::from(left) << 32 | u64::from(right))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(17)
        ^ u64::from(sign as u8);
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & (PRODUCT_SLOTS - 1)
}

/// A remembered `left · right^sign` of two interned units.
pub(super) fn remembered_product(
    left: &UnitData,
    right: &UnitData,
    sign: i8,
) -> Option<(&'static UnitData, Ratio)> {
    if left.id == SPILLED || right.id == SPILLED {
        return None;
    }
    let slot = product_slot(left.id, right.id, sign);
    match PRODUCTS.with(|cache| cache[slot].get()) {
        Some((l, r, s, unit, factor)) if (l, r, s) == (left.id, right.id, sign) => {
            Some((unit, factor))
        }
        _ => None,
    }
}

/// Remembers `left · right^sign` (when all three units are interned).
pub(super) fn remember_product(
    left: &UnitData,
    right: &UnitData,
    sign: i8,
    result: &Handle,
    factor: Ratio,
) {
    let Handle::Interned(unit) = result else {
        return;
    };
    if left.id == SPILLED || right.id == SPILLED {
        return;
    }
    let slot = product_slot(left.id, right.id, sign);
    let entry = Some((left.id, right.id, sign, *unit, factor));
    PRODUCTS.with(|cache| cache[slot].set(entry));
}
