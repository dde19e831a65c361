"""The answer time of a wrong login: a known login against an unknown one
(issue 15: names must not be guessed from the time of the answer; the unit
test test_unknown_login_verifies_a_hash checks the mechanism, this measures
it). Each attempt comes from another address, so the lockout's delays
(per login and address) stay out of the figures.

Run on a database with the demo users, e.g. the demo's:

    TRYTOND_DATABASE_URI=sqlite:///path/to/folder \\
        .venv/bin/python bench/bench_login.py -d bts_demo [--attempts 30]
"""
import argparse
import statistics
import time

from trytond import security
from trytond.pool import Pool


def answer_times(database, login, attempts, first_address):
    "The seconds of each wrong-password login of login, one per address"
    times = []
    for n in range(attempts):
        address = f'10.{first_address}.{n // 250}.{n % 250 + 1}'
        start = time.perf_counter()
        result = security.login(database, login, {'password': 'wrong'},
            cache=False, context={'_request': {'remote_addr': address}})
        times.append(time.perf_counter() - start)
        assert result is None, result
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--known', default='auditeur')
    parser.add_argument('--attempts', type=int, default=30)
    options = parser.parse_args()
    Pool.start()
    Pool(options.database).init()
    figures = {}
    # Interleaved, so a change of the machine's load touches both
    for round_ in range(2):
        for label, login in [('known', options.known),
                ('unknown', f'nobody-{time.time_ns()}')]:
            figures.setdefault(label, []).extend(answer_times(
                    options.database, login, options.attempts // 2,
                    2 * round_ + (label == 'unknown')))
    known = statistics.median(figures['known'])
    unknown = statistics.median(figures['unknown'])
    print(f"wrong password, known login   median {known * 1000:7.1f} ms")
    print(f"wrong password, unknown login median {unknown * 1000:7.1f} ms")
    print(f"ratio unknown / known {unknown / known:5.2f} "
        "(target: between 0.7 and 1.3)")


if __name__ == '__main__':
    main()
