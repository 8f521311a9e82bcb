//! Obviously fake names for generated people.

pub(crate) const FIRST: &[&str] = &[
    "Ada", "Bert", "Cleo", "Dario", "Edda", "Fritz", "Gia", "Hugo", "Ines", "Jun", "Kemal", "Lale",
    "Mira", "Nils", "Oona", "Priya", "Quinn", "Rafa", "Sana", "Timo", "Uma", "Vito", "Wren",
    "Xena", "Yuki", "Zeno",
];

pub(crate) const LAST: &[&str] = &[
    "Testperson",
    "Samplewood",
    "Demoly",
    "Mockford",
    "Fakeham",
    "Placeholder",
    "Dummington",
    "Exampleton",
    "Stubbfield",
    "Fixturo",
    "Sandboxer",
    "Mockingbird-Test",
    "Fauxley",
    "Notreal",
    "Synthetica",
    "Pretendorf",
];
