#!/usr/bin/env python3
"""Take the screenshots of the README from a running BTS server.

    .venv/bin/python tests/browser/screenshots.py \
        [--url http://127.0.0.1:8000] [--database bts_demo]

Saves into doc/screenshots/ (or --output):
  login.png     the login page of the web client
  bts-menu.png  after the login of ministere.admin, the BTS menu expanded
                and the list of the programmes open
  payment-runs.png  after the login of comptable, the posted payment run
                of the demo (Indemnities > Payment Runs) and its
                beneficiaries
  contract-form.png  after the login of rh.ltc, a new contract of Jeff
                Tutor on BTS-CLOUD entered with its two lines in the
                contract form (not saved)
  contract-course-picker.png  the same form, a third line whose course
                picker offers the courses of BTS-CLOUD only

The window is 1400x900.  The server must be started with the database
initialised (``trytond -d bts_demo``), see tests/browser/README.md.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import bts_browser
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--url', default='http://127.0.0.1:8000')
    parser.add_argument('--database', default='bts_demo')
    parser.add_argument('--user', default='ministere.admin')
    parser.add_argument('--password', default='bts-demo-2026')
    parser.add_argument(
        '--output', type=Path, default=ROOT / 'doc' / 'screenshots')
    parser.add_argument('--width', type=int, default=1400)
    parser.add_argument('--height', type=int, default=900)
    parser.add_argument(
        '--lang', default='fr',
        help="language of the browser, used by the login page "
        "(default: %(default)s)")
    return parser.parse_args(argv)


def settle(driver):
    "Let the bootstrap fade animations end and remove the focus rings"
    time.sleep(0.6)
    driver.execute_script(
        "if (document.activeElement) { document.activeElement.blur(); }")


def login_page(driver, args):
    bts_browser.open_login_page(driver, args.url, args.database)
    # Wait for the database name, filled in by the common.db.list call
    bts_browser.wait_for(
        driver,
        lambda d: any(
            e.is_displayed() and e.get_attribute('value')
            for e in d.find_elements(
                By.CSS_SELECTOR, '.login-dialog #database')),
        "the database name in the login dialog")
    settle(driver)
    path = args.output / 'login.png'
    driver.save_screenshot(str(path))
    return path


def bts_menu(driver, args):
    bts_browser.login(
        driver, args.url, args.database, args.user, args.password)
    children = bts_browser.expand_menu(driver, 'BTS')
    # The first entry under BTS (sequence 10) is the list of the programmes;
    # its label depends on the translations.
    bts_browser.open_menu_entry(driver, children[0])
    bts_browser.wait_list_contains(driver, 'BTS-CLOUD')
    settle(driver)
    path = args.output / 'bts-menu.png'
    driver.save_screenshot(str(path))
    return path


def payment_runs(driver, args):
    bts_browser.login(
        driver, args.url, args.database, 'comptable', args.password)
    children = bts_browser.expand_menu(driver, 'BTS')
    # The labels depend on the translations: Indemnités / Lots de paiement.
    indemnities, = [c for c in children if c.startswith('Indemn')]
    entries = bts_browser.expand_menu(driver, indemnities)
    runs, = [e for e in entries if 'paiement' in e.lower()
        or 'payment' in e.lower()]
    bts_browser.open_menu_entry(driver, runs)
    # The list opens on the drafts; the demo's run is posted.
    bts_browser.wait_for(driver, lambda d: d.find_elements(By.XPATH,
            "//a[contains(., 'Comptabilis') or contains(., 'Posted')]"),
        "the tab of the posted runs")[0].click()
    bts_browser.wait_list_contains(driver, 'PR-2026-0001')
    cell = driver.find_element(
        By.CSS_SELECTOR, '.column-char[title="PR-2026-0001"]')
    ActionChains(driver).double_click(cell).perform()
    bts_browser.wait_for(driver, lambda d: d.find_elements(
            By.CSS_SELECTOR, '.form .column-char[title="Sophie Klein"], '
            '.form [title="Sophie Klein"]'),
        "the beneficiaries of the run")
    settle(driver)
    path = args.output / 'payment-runs.png'
    driver.save_screenshot(str(path))
    return path


# Jeff Tutor, the tutor of BTS-CLOUD, also as external lecturer: the
# pickers to type in and the labels to pick (in French)
CONTRACT = [
    ('Jeff Tutor', 'Jeff Tutor'),
    ('BTS-CLOUD', 'BTS-CLOUD - BTS Cloud Computing'),
    ('2025', '2025/2026'),
    [(('Linux', 'M1.1 - Linux systems'),
            ('hiver', "Semestre d'hiver 2025/2026"), 10),
        (('Networks', 'M1.2 - Networks'),
            ('hiver', "Semestre d'hiver 2025/2026"), 12,
            ('Ma', 'Master in Engineering (Jeff Tutor)'))],
    ]


def contract_form(driver, args):
    """rh.ltc enters a contract and its two lines in the contract form;
    then the course picker of a third line (nothing is saved)"""
    bts_browser.login(
        driver, args.url, args.database, 'rh.ltc', args.password)
    # The labels depend on the translations: Contrats / Contracts
    contracts, = [path for path in bts_browser.expand_whole_menu(driver)
        if path[-1] in {'Contrats', 'Contracts'}]
    bts_browser.open_menu_path(driver, contracts)
    bts_browser.click_tool(driver, 'new_')
    bts_browser.enter_contract(driver, *CONTRACT)
    settle(driver)
    paths = [args.output / 'contract-form.png']
    driver.save_screenshot(str(paths[0]))

    one2many = bts_browser.visible(
        bts_browser.active_form(driver), '.form-one2many')[0]
    bts_browser.new_line(driver, one2many)
    field = bts_browser.field_input(one2many, 'course')
    field.send_keys('Pro')
    bts_browser.wait_for(driver,
        lambda d: bts_browser.visible(one2many, 'li.completion a'),
        "the courses offered")
    time.sleep(0.6)
    paths.append(args.output / 'contract-course-picker.png')
    driver.save_screenshot(str(paths[1]))
    return ', '.join(map(str, paths))


def main(argv=None):
    args = parse_args(argv)
    if reason := bts_browser.missing_requirements():
        sys.exit(f"Cannot take the screenshots: {reason}")
    args.output.mkdir(parents=True, exist_ok=True)
    for take in (login_page, bts_menu, payment_runs, contract_form):
        # A fresh profile for each: no session left by the previous one
        with tempfile.TemporaryDirectory(prefix='bts-chromium-') as profile:
            driver = bts_browser.start_browser(
                user_data_dir=profile, width=args.width, height=args.height,
                lang=args.lang)
            try:
                print(take(driver, args))
            except bts_browser.SaoError as exception:
                message = f"{take.__name__}: {exception}"
                if "'res.user'" in message:
                    message += (
                        "\nThe server was started without the database"
                        f" initialised: restart it with -d {args.database}"
                        " (see tests/browser/README.md).")
                sys.exit(message)
            finally:
                driver.quit()


if __name__ == '__main__':
    main()
