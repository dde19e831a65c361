# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Conflicts of interest: a member may not evaluate, attend the deliberation
on, or sign the diploma of a spouse or partner, or a relative or in-law up to
the 4th degree inclusive (law of 21 July 2023, arts. 9(3), 11(3), 12(3),
14(1), 18(1), 23(3))."""
from trytond.pool import Pool, PoolMeta

# Degree of kinship: the number of parent-child links between two people
# through their common ancestor; an in-law has the degree of the spouse's
# or partner's relative.
MAX_DEGREE = 4
KINSHIP, UNION = 'bts_kinship', 'bts_union'


class RelationType(metaclass=PoolMeta):
    __name__ = 'party.relation.type'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.usages.selection += [
            (KINSHIP, "Kinship (Parent and Child)"),
            (UNION, "Spouse or Partner"),
            ]


def _related(parties, usage):
    "Return the parties related to parties by relations of usage"
    Relation = Pool().get('party.relation.all')
    return {r.to for r in Relation.search([
                ('from_', 'in', [p.id for p in parties]),
                ('type.usages', 'in', [usage]),
                ])} if parties else set()


def kinship_degree(party, other, max_degree=MAX_DEGREE):
    """Return the degree of kinship or alliance between party and other, 0
    for spouses and partners, or None beyond max_degree"""
    if party == other:
        return None
    if other in _related({party}, UNION):
        return 0
    # Alliance: the relatives of one's spouse, and the spouses of one's
    # relatives, are in-laws at the same degree.
    seen = frontier = {party} | _related({party}, UNION)
    targets = {other} | _related({other}, UNION)
    for degree in range(1, max_degree + 1):
        frontier = _related(frontier, KINSHIP) - seen
        if frontier & targets:
            return degree
        seen = seen | frontier
    return None
