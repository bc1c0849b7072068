"""English plurals and singulars of the lower-case words model names are made of: `post` and
`posts`, `category` and `categories`, `person` and `people`.
"""

from __future__ import annotations

_IRREGULAR = {
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "foot": "feet",
    "tooth": "teeth",
    "goose": "geese",
    "mouse": "mice",
    "ox": "oxen",
    "datum": "data",
    "medium": "media",
    "criterion": "criteria",
    "index": "indices",
    "matrix": "matrices",
    "vertex": "vertices",
    "leaf": "leaves",
    "life": "lives",
    "knife": "knives",
    "wife": "wives",
    "half": "halves",
    "wolf": "wolves",
    "shelf": "shelves",
    "thief": "thieves",
    "quiz": "quizzes",
}


_UNCOUNTABLE = frozenset(
    {
        "equipment",
        "information",
        "rice",
        "money",
        "species",
        "series",
        "fish",
        "sheep",
        "deer",
        "news",
        "metadata",
        "feedback",
        "software",
        "data",
        "media",
        "people",
        "men",
        "women",
        "children",
        "staff",
        "settings",
        "aircraft",
    }
)


def pluralize(word: str) -> str:
    """The plural of a lower-case English ``word``; a plural is returned unchanged.

    >>> [pluralize(w) for w in ("user", "users", "category", "person", "status", "box")]
    ['users', 'categories', 'people', 'statuses', 'boxes']
    """
    if word in _UNCOUNTABLE or word in _IRREGULAR.values():
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("ss", "us", "is")):
        if word.endswith("is") and len(word) > 3:
            return word[:-2] + "es"  # analysis -> analyses
        return word + "es"
    if word.endswith("s"):  # already plural: users, posts
        return word
    if word.endswith(("x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def singularize(word: str) -> str:
    """Undo :func:`pluralize` for the common cases, so `Users` names the model `User`."""
    for singular, plural in _IRREGULAR.items():
        if word == plural:
            return singular
    if word in _UNCOUNTABLE:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
