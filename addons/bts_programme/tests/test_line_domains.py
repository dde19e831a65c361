# This file is part of the BTS modules. The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The pickers of a contract's and an amendment's lines: their domains as
the web client evaluates them on a new line of the parent's form, where the
line's own function fields (programme, academic year, provider) are still
empty until the parent is saved and the parent's values are given as
``_parent_contract`` or ``_parent_amendment``."""
import datetime as dt
import unittest

from trytond.model.exceptions import DomainValidationError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)

from .test_contract_rules import (
    activate,
    course,
    create_contract,
    create_lycee,
    create_person,
    create_programme,
    create_year,
)


def picker(Model, name, values):
    """The records the client offers for the field name of Model: its
    domain, as fields_get sends it, evaluated with values"""
    domain = PYSONDecoder(values).decode(
        Model.fields_get([name])[name]['domain'])
    Target = Pool().get(Model._fields[name].model_name)
    return Target.search(domain)


class LineDomainsTestCase(unittest.TestCase):
    "The domains of the lines of contracts and amendments"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['bts_programme'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def create_data(self):
        """Two programmes, two years and two providers: each picker offers
        the records of one of them only"""
        lycee = create_lycee()
        return {
            'year': create_year(2025),
            'other_year': create_year(2026),
            'programme': create_programme('CLOUD', lycee),
            'other_programme': create_programme('GAME', create_lycee('LAM')),
            'person': create_person("Anne", ("Master", '7'), ("BTS", '5')),
            'other_person': create_person("Bob", ("Master", '7')),
            }

    @with_transaction()
    def test_new_contract_line(self):
        """A new line of the contract form offers the courses of the
        contract's programme, the semesters of its year and the provider's
        qualifications; so does a line opened alone"""
        Line = Pool().get('bts.contract.line')
        data = self.create_data()
        contract = {
            'programme': data['programme'].id,
            'academic_year': data['year'].id,
            'party': data['person'].id,
            'role': 'external',
            }
        for values in [{'_parent_contract': contract}, contract]:
            with self.subTest(values=values):
                self.assertCountEqual(
                    picker(Line, 'course', values),
                    [c for m in data['programme'].modules
                        for c in m.courses])
                self.assertCountEqual(
                    picker(Line, 'semester', values),
                    list(data['year'].semesters))
                self.assertCountEqual(
                    picker(Line, 'qualification', values),
                    list(data['person'].bts_qualifications))

    @with_transaction()
    def test_new_amendment_line(self):
        """A new line of the amendment form offers the contract's lines,
        the courses of its programme (every course before), the semesters
        of its year and the provider's qualifications; the server refuses a
        course of another programme"""
        pool = Pool()
        Amendment = pool.get('bts.contract.amendment')
        Line = pool.get('bts.contract.amendment.line')
        data = self.create_data()
        master, _ = data['person'].bts_qualifications
        contract = create_contract(data['person'], data['programme'],
            data['year'], [('M1.1', 'winter', 40, master)])
        create_contract(data['other_person'], data['programme'],
            data['year'], [('M1.2', 'winter', 20)])
        activate(contract)
        amendment = Amendment(contract=contract, date=dt.date(2025, 11, 1),
            reason="A course more")
        self.assertEqual(
            (amendment.on_change_with_party(),
                amendment.on_change_with_programme(),
                amendment.on_change_with_academic_year()),
            (data['person'], data['programme'], data['year']))
        values = {'_parent_amendment': {
                'contract': contract.id,
                'party': data['person'].id,
                'programme': data['programme'].id,
                'academic_year': data['year'].id,
                }}
        self.assertCountEqual(
            picker(Line, 'contract_line', values), list(contract.lines))
        self.assertCountEqual(
            picker(Line, 'course', values),
            [c for m in data['programme'].modules for c in m.courses])
        self.assertCountEqual(
            picker(Line, 'semester', values), list(data['year'].semesters))
        self.assertCountEqual(
            picker(Line, 'qualification', values),
            list(data['person'].bts_qualifications))

        amendment.save()
        with self.assertRaises(DomainValidationError) as error:
            Amendment.write([amendment], {'lines': [('create', [{
                                'action': 'add',
                                'course': course(
                                    data['other_programme'], 'M1.2').id,
                                'semester': data['year'].semesters[0].id,
                                'quantity': 10}])]})
        self.assertIn("Course", error.exception.message)
