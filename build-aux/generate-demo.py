#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate the LES Claims demo data set (SYNTHETIC).

The 23 services, their "payment offered" wording, budgets, capped flags and
spend to date are the real ICB facts from the 2024/25 FOI return
(shared/data/ssot-les-2024-25-foi.csv, embedded below).  Everything about
practices, PCNs, list sizes, sign-ups, claims, patients and ledger rows is
invented; every practice and PCN name carries "(demo)" and the NHS numbers are
in the 999 test range.  See docs/demo-data.md.

    build-aux/generate-demo.py [--seed 2024] --out DIR [--check]
    build-aux/generate-demo.py --check-only --out DIR

The output is a set of import CSVs (FORMATS.md), one per import kind, and is
deterministic for a seed.  --check re-implements the payable estimate to
December 2024 (RULES.md, simplified to what the demo uses) from the written
files and prints a table against the FOI spend to date; it exits 1 when a
service is more than 10% away.

Python 3 standard library only.
"""

import argparse
import csv
import datetime as dt
import os
import random
import sys
from collections import Counter, defaultdict
from decimal import Decimal

YEAR = "2024/25"
FY_START = dt.date(2024, 4, 1)
MONTHS = ["2024-%02d" % m for m in range(4, 13)] + ["2025-%02d" % m for m in range(1, 4)]
TO = "2024-12"
TO_MONTHS = MONTHS[:MONTHS.index(TO) + 1]          # April - December 2024
QUARTER_ENDS = ("06", "09", "12", "03")
LIST_DATES = ["2024-04-01", "2024-07-01", "2024-10-01", "2025-01-01"]
TOLERANCE = 0.10

# --------------------------------------------------------------------------
# The real ICB facts (FOI, 2024/25): code, name, funding basis, payment
# offered, capped, budget (whole pounds, None = none), eligible patients,
# spend to date (to December 2024, whole pounds).
# --------------------------------------------------------------------------
FOI = [
    ("DOAC", "Anti-Coag DOACs", "Activity", "£90 new initiation or £60 Annual Review", False, 1424913, 1198769, 1031188),
    ("WARF", "Anti-Coag Warfarin", "Activity", "£193 per annual review", False, 432191, 1198769, 156820),
    ("BARI", "Bariatric Surgery Follow Up", "Activity", "£50 per annual review", False, 160950, 1198769, 21674),
    ("INSUL", "Conversion of Insulin", "Activity", "Block based on 23/24 activity", True, 16081, 153267, 3100),
    ("DENOS", "Denosumab Injection", "Activity", "Block based on 23/24 activity", True, 11750, 153267, 5108),
    ("GTT", "Diabetes-Insulin (GTT)", "Activity", "Block based on 23/24 activity", True, 113213, 153267, 77031),
    ("EARIRR", "Ear Irrigation", "Activity", "Block based on 23/24 activity", True, 558492, 1198769, 0),
    ("ECG", "ECGs", "Activity", "£36 per ECG", False, 763479, 1198769, 641160),
    ("ELF", "ELF Testing & Recall and Liver Pathway", "Activity", "£0.41 php", False, 229864, 528835, 172398),
    ("EHCH", "Enhancing Health in Care Homes", "Activity", "£130 per bed, per year", False, 1250860, 1198769, 953027),
    ("FAA", "Facilitation of Admission Avoidance", "Per head of population for target threshold", "£6 php", False, 3363864, 528835, 2522898),
    ("IUS", "IUS for Menorrhagia & HRT", "Activity", "£255 Pathway £45 Removal Only", False, 285156, 1198769, 87896),
    ("QIF", "LTC / EOL Quality Improvement Framework", "Meet target threshold", "80% of total award", True, 2899449, 1198769, 2287722),
    ("MS", "Multiple Sclerosis", "Activity", "Block based on 23/24 activity", True, 65533, 374606, 45349),
    ("OUTBRK", "Outbreak", "Activity", "£30 per patient", False, None, None, 2100),
    ("PHLEB", "Phlebotomy", "Activity", "£3.50 per bleed", False, 1588093, 1198769, 1338700),
    ("SMI", "Physical Health Checks SMIs", "Activity", "£55 per full health check", False, 365000, 1198769, 135265),
    ("PENG", "Practice Engagement", "Per practice & per head of population", "80% of total scheme value", True, 824372, 1198769, 614052),
    ("PROSTAP", "Prostap / Zoladex", "Activity", "£17 per injection", False, 281059, 1198769, 170216),
    ("PSA", "PSA Monitoring", "Per head of population", "£0.30 php", False, 277840, 221339, 70080),
    ("SCDM", "Shared Care Drug Monitoring", "Activity", "£70 per patient, per year", False, 1586573, 1198769, 798858),
    ("SPIRO", "Spirometry", "Activity", "£50.00 diagnostic £20.00 reporting on results", False, 740000, 1198769, 220999),
    ("WOUND", "Wound Care", "Activity", "£30 per attendance", False, 1616171, 1198769, 1341822),
]
FOI_BY_CODE = {r[0]: r for r in FOI}

# --------------------------------------------------------------------------
# Synthetic geography: five "places" (localities) whose populations follow
# the FOI eligible-patient figures (ELF/FAA 528,835 -> North; MS 374,606 ->
# Central; INSUL/DENOS/GTT 153,267 -> East; PSA 221,339 -> East + Coast).
# (name, practices, PCNs, registered patients on 1 April 2024)
# --------------------------------------------------------------------------
PLACES = [
    ("North", 66, 11, 552000),
    ("Central", 45, 8, 374600),
    ("East", 18, 3, 153300),
    ("Coast", 9, 2, 75000),
    ("West", 5, 1, 35000),
]

# Item services: rules (code, description, rate in pounds as a string,
# max_per_patient), the share of the FOI spend each rule takes, claim
# frequency, deadline, patient lines?, outliers?
ITEM_SERVICES = {
    "DOAC": dict(rules=[("INIT", "New initiation", "90.00", 1, 0.20),
                        ("REVIEW", "Annual review", "60.00", 1, 0.80)]),
    "WARF": dict(rules=[("REVIEW", "Annual review", "193.00", 1, 1.0)], patient_lines=True),
    "BARI": dict(rules=[("REVIEW", "Annual follow-up review", "50.00", 1, 1.0)]),
    "ECG": dict(rules=[("ECG", "12-lead ECG recorded and interpreted", "36.00", None, 1.0)], outliers=True),
    "IUS": dict(rules=[("PATHWAY", "IUS fitting pathway (menorrhagia or HRT)", "255.00", None, 0.87),
                       ("REMOVAL", "IUS removal only", "45.00", None, 0.13)]),
    "OUTBRK": dict(rules=[("PATIENT", "Patient treated in an outbreak", "30.00", None, 1.0)], deadline=None),
    "PHLEB": dict(rules=[("BLEED", "Blood sample taken in the practice", "3.50", None, 1.0)], outliers=True),
    "SMI": dict(rules=[("CHECK", "Full physical health check", "55.00", 1, 1.0)], patient_lines=True),
    "PROSTAP": dict(rules=[("INJ", "Prostap / Zoladex injection", "17.00", None, 1.0)]),
    "SCDM": dict(rules=[("PATIENT", "Patient monitored under shared care (per year)", "70.00", 1, 1.0)],
                 claim_frequency="quarterly"),
    "SPIRO": dict(rules=[("DIAG", "Diagnostic spirometry", "50.00", None, 0.77),
                         ("REPORT", "Reporting on results", "20.00", None, 0.23)]),
    "WOUND": dict(rules=[("ATTEND", "Wound care attendance", "30.00", None, 1.0)], outliers=True),
}

# Block services: place, number of practices with 2023/24 activity (None =
# all practices of the place).
BLOCK_SERVICES = {
    "INSUL": ("East", 5),
    "DENOS": ("East", 8),
    "GTT": ("East", None),
    "MS": ("Central", 30),
    "EARIRR": (None, 3),          # nobody until January 2025 (FOI spend 0)
}

SEASON = {"2024-04": 1.00, "2024-05": 1.03, "2024-06": 0.99, "2024-07": 1.02, "2024-08": 0.86,
          "2024-09": 1.01, "2024-10": 1.07, "2024-11": 1.05, "2024-12": 0.89}

NAME_HEADS = ["Ash", "Bram", "Cal", "Dun", "Elm", "Fern", "Glen", "Hol", "Ivy", "Kings", "Lark",
              "Mill", "Nether", "Oak", "Pen", "Rose", "Sand", "Thorn", "Wil", "Yew", "Bright",
              "Stan", "Wood", "Marl", "Hart", "Brack", "Chad", "Ever", "Fox", "Gold", "Hazel",
              "Kirk", "Lang", "Moor", "Pole", "Red", "Shel", "Tam", "Wex", "Ald"]
NAME_TAILS = ["bury", "field", "ford", "ham", "ley", "mouth", "stead", "ton", "wick", "worth",
              "dale", "gate", "brook", "combe", "hurst", "by", "well", "side", "moor", "mere"]
PRACTICE_KINDS = ["Medical Centre", "Surgery", "Health Centre", "Medical Practice",
                  "Family Practice", "Group Practice"]


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
def d(s):
    return dt.date.fromisoformat(s)


def month_first(period):
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def month_last(period):
    f = month_first(period)
    nxt = dt.date(f.year + (f.month == 12), f.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def pounds(pence):
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return "%s%d.%02d" % (sign, pence // 100, pence % 100)


def to_pence(text):
    return int((Decimal(text.replace(",", "").replace("£", "")) * 100).to_integral_value())


def to_hp(text):
    """Rate in pounds -> integer hundredths of a penny."""
    return int((Decimal(text.replace(",", "").replace("£", "")) * 10000).to_integral_value())


def to_pct100(text):
    """Percent -> integer hundredths of a percent."""
    return int((Decimal(text.replace("%", "")) * 100).to_integral_value())


def rdiv(num, den):
    """num/den rounded once, half away from zero (den > 0)."""
    q, r = divmod(abs(num), den)
    if 2 * r >= den:
        q += 1
    return q if num >= 0 else -q


def pct_text(x):
    s = "%.2f" % x
    return s.rstrip("0").rstrip(".")


def nhs_check_digit(nine):
    total = sum(int(c) * w for c, w in zip(nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check           # 10 = invalid


def nhs_valid(number):
    number = number.replace(" ", "")
    if len(number) != 10 or not number.isdigit():
        return False
    c = nhs_check_digit(number[:9])
    return c != 10 and c == int(number[9])


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------
class Demo:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.practices = []          # dicts
        self.pcns = []
        self.lists = {}              # code -> {date: (registered, weighted)}
        self.signups = []            # (practice, service, from, to)
        self.cohorts = []
        self.allocations = []
        self.claims = []             # dicts (ref assigned at the end)
        self.patient_lines = []      # (claim dict, nhs, date)
        self.achievements = []
        self.services = []
        self.rules = []
        self.nhs_used = set()

    # ---- practices and lists -------------------------------------------
    def make_names(self, n):
        rng = self.rng
        seen = set()
        out = []
        while len(out) < n:
            town = rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)
            if town in seen:
                continue
            seen.add(town)
            out.append(town)
        return out

    def make_practices(self):
        rng = self.rng
        n_pr = sum(p[1] for p in PLACES)
        n_pcn = sum(p[2] for p in PLACES)
        towns = self.make_names(n_pr + n_pcn)
        pcn_towns = towns[:n_pcn]
        pr_towns = towns[n_pcn:]
        pr_i = 0
        pcn_i = 0
        for place, n_practices, n_pcns, population in PLACES:
            # split the practices between the PCNs (at least 3 each)
            sizes = [3] * n_pcns
            for _ in range(n_practices - 3 * n_pcns):
                sizes[rng.randrange(n_pcns)] += 1
            # list sizes in the place, summing exactly to the population
            w = [max(0.22, rng.lognormvariate(0, 0.5)) for _ in range(n_practices)]
            sw = sum(w)
            raw = [population * x / sw for x in w]
            regs = [int(x) for x in raw]
            short = population - sum(regs)
            order = sorted(range(n_practices), key=lambda i: raw[i] - regs[i], reverse=True)
            for i in order[:short]:
                regs[i] += 1
            k = 0
            for s in sizes:
                pcn_i += 1
                pcn_code = "U9%04d" % pcn_i
                pcn_name = "%s PCN - %s (demo)" % (pcn_towns[pcn_i - 1], place)
                self.pcns.append((pcn_code, pcn_name, place))
                for _ in range(s):
                    pr_i += 1
                    code = "Y9%04d" % pr_i
                    name = "%s %s (demo)" % (pr_towns[pr_i - 1], rng.choice(PRACTICE_KINDS))
                    opened = dt.date(1948, 7, 5) + dt.timedelta(days=rng.randrange(0, 24000))
                    self.practices.append(dict(code=code, name=name, pcn=pcn_code,
                                               pcn_name=pcn_name, place=place,
                                               open=opened.isoformat(), close="",
                                               reg0=regs[k], wf=min(1.22, max(0.82, rng.gauss(1.0, 0.07)))))
                    k += 1
        # one small North practice closes on 30 September 2024 and merges
        # into the largest practice of its PCN.
        pcn2 = [p for p in self.practices if p["pcn"] == "U90002"]
        closing = min(pcn2, key=lambda p: p["reg0"])
        receiving = max(pcn2, key=lambda p: p["reg0"])
        closing["close"] = "2024-09-30"
        closing["merged_into"] = receiving["code"]
        self.closing = closing
        self.receiving = receiving
        # quarterly list sizes
        for p in self.practices:
            reg = p["reg0"]
            rows = {}
            for i, date in enumerate(LIST_DATES):
                if i > 0:
                    reg = int(round(reg * (1 + rng.gauss(0.0035, 0.004))))
                if p is closing and date >= "2024-10-01":
                    continue
                rows[date] = [reg, 0]
            p["lists"] = rows
        moved = closing["lists"]["2024-07-01"][0]
        for date in LIST_DATES[2:]:
            receiving["lists"][date][0] += int(round(moved * 0.97))
        for p in self.practices:
            for date, row in p["lists"].items():
                row[1] = int(round(row[0] * p["wf"] * (1 + rng.gauss(0, 0.004))))
        self.by_code = {p["code"]: p for p in self.practices}
        self.practice_codes = [p["code"] for p in self.practices]

    def reg_at(self, code, date):
        """Registered list with the latest date <= date."""
        best = None
        for dte in LIST_DATES:
            if dte <= date and dte in self.by_code[code]["lists"]:
                best = self.by_code[code]["lists"][dte][0]
        return best

    def place_codes(self, place):
        return [p["code"] for p in self.practices if p["place"] == place]

    # ---- sign-ups ---------------------------------------------------------
    def signup(self, code, service, frm="2024-04-01", to=""):
        p = self.by_code[code]
        if p["close"]:
            if frm > p["close"]:
                return
            if not to or to > p["close"]:
                to = p["close"]
        self.signups.append((code, service, frm, to))

    def signup_many(self, codes, service, p_sign=1.0, p_late=0.0, p_leave=0.0):
        rng = self.rng
        for c in codes:
            if rng.random() >= p_sign:
                continue
            frm, to = "2024-04-01", ""
            r = rng.random()
            if r < p_late:
                frm = rng.choice(["2024-07-01", "2024-10-01"])
            elif r < p_late + p_leave:
                to = rng.choice(["2024-09-30", "2024-10-31"])
            self.signup(c, service, frm, to)

    def signed_months(self, code, service):
        out = []
        for m in TO_MONTHS:
            f, l = month_first(m).isoformat(), month_last(m).isoformat()
            for (c, s, frm, to) in self._su_index.get((code, service), []):
                if frm <= l and (not to or to >= f):
                    out.append(m)
                    break
        return out

    # ---- services and rules ----------------------------------------------
    def add_service(self, code, cap_mode, schedule="monthly", claim_frequency="monthly",
                    deadline="", start="", end="", extra=""):
        foi = FOI_BY_CODE[code]
        budget = "" if foi[5] is None else "%d.00" % foi[5]
        desc = 'FOI payment offered: "%s"%s. Synthetic demo data.' % (foi[3], extra)
        self.services.append([code, YEAR, foi[1], cap_mode, budget, schedule, claim_frequency,
                              deadline, start, end, desc])

    def add_rule(self, service, rule, kind, desc, rate="", rate_per="", base="", max_units="",
                 max_pp="", fixed="", upfront="", lower="", upper="", settlement=""):
        self.rules.append([service, YEAR, rule, kind, desc, rate, rate_per, base, max_units,
                           "" if max_pp is None else max_pp, fixed, upfront, lower, upper,
                           settlement])

    # ---- claims -------------------------------------------------------------
    def submitted(self, period, late=False, deadline=60, quarterly=False):
        end = month_last(period)
        if late:
            return end + dt.timedelta(days=deadline + self.rng.randint(1, 40))
        return end + dt.timedelta(days=self.rng.randint(3, 20) if quarterly else self.rng.randint(2, 12))

    def new_nhs(self):
        rng = self.rng
        while True:
            nine = "999" + "%06d" % rng.randrange(1000000)
            c = nhs_check_digit(nine)
            if c == 10:
                continue
            n = nine + str(c)
            if n not in self.nhs_used:
                self.nhs_used.add(n)
                return n

    def item_claims(self, service, spec, codes_all):
        rng = self.rng
        foi = FOI_BY_CODE[service]
        spend = foi[7]
        quarterly = spec.get("claim_frequency") == "quarterly"
        deadline = spec.get("deadline", 60)
        for (rule, _desc, rate, _mpp, share) in spec["rules"]:
            units = int(round(spend * share / float(rate)))
            cells = []
            weights = []
            props = {}
            for c in codes_all:
                props[c] = rng.lognormvariate(0, 0.35)
            if spec.get("outliers"):
                cands = [c for c in codes_all if not self.by_code[c]["close"]
                         and 4000 <= self.by_code[c]["reg0"] <= 9000
                         and len(self.signed_months(c, service)) == len(TO_MONTHS)]
                for c in rng.sample(cands, 2):
                    props[c] = rng.uniform(4.5, 5.5)
                    self.outliers.append((service, rule, c))
            for c in codes_all:
                for m in self.signed_months(c, service):
                    if quarterly and m[5:] not in QUARTER_ENDS:
                        continue
                    reg = self.reg_at(c, month_first(m).isoformat())
                    cells.append((c, m))
                    weights.append(reg * props[c] * SEASON[m] * (3 if quarterly else 1))
            cum = []
            t = 0.0
            for x in weights:
                t += x
                cum.append(t)
            counts = Counter(rng.choices(range(len(cells)), cum_weights=cum, k=units))
            for i in sorted(counts):
                c, m = cells[i]
                late = (deadline is not None and m <= "2024-09" and rng.random() < 0.015)
                sub = self.submitted(m, late, deadline or 60, quarterly)
                self.claims.append(dict(practice=c, service=service, item=rule, period=m,
                                        count=counts[i], submitted=sub.isoformat(),
                                        late=late, dup=False, lines=None))

    def make_everything(self):
        rng = self.rng
        self.outliers = []
        self.make_practices()
        all_codes = self.practice_codes
        north = self.place_codes("North")
        central = self.place_codes("Central")
        east = self.place_codes("East")
        coast = self.place_codes("Coast")

        # --- services & rules --------------------------------------------
        for code, spec in ITEM_SERVICES.items():
            dl = spec.get("deadline", 60)
            self.add_service(code, "none", "monthly", spec.get("claim_frequency", "monthly"),
                             "" if dl is None else str(dl))
            for (rule, desc, rate, mpp, _share) in spec["rules"]:
                self.add_rule(code, rule, "item", desc, rate, max_pp=mpp)
        for code in BLOCK_SERVICES:
            self.add_service(code, "hold", "monthly", "monthly", "",
                             extra="; annual block per practice based on 2023/24 activity, "
                                   "paid monthly, capped at the practice allocation and the budget")
            self.add_rule(code, "BLOCK", "block", "Annual block based on 2023/24 activity")
        self.add_service("ELF", "none", "quarterly", extra="; per registered patient per year, paid quarterly")
        self.add_rule("ELF", "PHP", "capitation", "Per registered patient", "0.4100", "year", "registered")
        self.add_service("EHCH", "none", "monthly", extra="; per care home bed per year, paid monthly")
        self.add_rule("EHCH", "BED", "capitation", "Per care home bed", "130.0000", "year", "beds")
        self.add_service("PSA", "none", "quarterly", start="2024-10-01",
                         extra="; per registered patient per quarter, paid quarterly from October 2024")
        self.add_rule("PSA", "PHP", "capitation", "Per registered patient per quarter", "0.3000",
                      "quarter", "registered")

        # --- sign-ups ---------------------------------------------------------
        for code in ITEM_SERVICES:
            if code == "OUTBRK":
                for c in all_codes:
                    self.signup(c, code)
            else:
                self.signup_many(all_codes, code, p_sign=0.95, p_late=0.03, p_leave=0.02)
        for c in north:
            self.signup(c, "ELF")
            self.signup(c, "FAA")
        for c in east + coast:
            self.signup(c, "PSA")
        for c in all_codes:
            self.signup(c, "QIF")
            self.signup(c, "PENG")
        # EHCH: practices with aligned care homes
        ehch = [c for c in all_codes if rng.random() < 0.8]
        for c in ehch:
            frm = "2024-04-01" if rng.random() > 0.04 else "2024-07-01"
            self.signup(c, "EHCH", frm)
        # blocks
        block_members = {}
        for code, (place, k) in BLOCK_SERVICES.items():
            if code == "EARIRR":
                members = sorted(rng.sample([c for c in all_codes if not self.by_code[c]["close"]], k))
                for c in members:
                    self.signup(c, code, "2025-01-01")
            else:
                pool = self.place_codes(place)
                members = pool if k is None else sorted(rng.sample(pool, k))
                for c in members:
                    self.signup(c, code)
            block_members[code] = members
        self._su_index = defaultdict(list)
        for s in self.signups:
            self._su_index[(s[0], s[1])].append(s)

        # --- cohorts: care-home beds ---------------------------------------
        beds_total = int(round(FOI_BY_CODE["EHCH"][7] / (130 * 9 / 12)))
        wts = [self.by_code[c]["reg0"] * rng.lognormvariate(0, 0.8) for c in ehch]
        beds = Counter(rng.choices(ehch, weights=wts, k=beds_total - 5 * len(ehch)))
        for c in ehch:
            self.cohorts.append((c, "EHCH", 5 + beds[c]))

        # --- block allocations ------------------------------------------------
        for code, members in block_members.items():
            if code == "EARIRR":
                total = 18000
            else:
                total = int(round(FOI_BY_CODE[code][7] * 12 / 9))
            wts = [self.by_code[c]["reg0"] * rng.lognormvariate(0, 0.45) for c in members]
            sw = sum(wts)
            amounts = [int(total * w / sw) for w in wts]
            amounts[-1] += total - sum(amounts)
            for c, a in zip(members, amounts):
                self.allocations.append((c, code, "%d.00" % a, "%d.00" % a))

        # --- threshold services ------------------------------------------------
        # FAA: £6 per registered patient, all paid on account (100% upfront,
        # quarterly), recovered in March below a 60-80% target band.
        self.add_service("FAA", "none", "quarterly",
                         extra="; award £6 per registered patient (1 April list), paid in full on account "
                               "quarterly and recovered pro rata below the 60-80% target band")
        self.add_rule("FAA", "TARGET", "threshold", "Admission avoidance target award", "6.0000", "year",
                      "registered", fixed="0.00", upfront="100", lower="60", upper="80",
                      settlement="recover")
        # QIF: fixed £1,500 + rate x weighted; 80% aspiration payment upfront,
        # recover; the upfront 80% of all awards ~= 99% of the budget.
        budget = FOI_BY_CODE["QIF"][5]
        award_total = 0.99 * budget / 0.80
        n_q = len(all_codes)
        wsum = sum(self.by_code[c]["lists"]["2024-04-01"][1] for c in all_codes)
        qif_rate = int((award_total - 1500 * n_q) / wsum * 100) / 100.0
        self.qif_rate = qif_rate
        self.add_service("QIF", "hold", "quarterly",
                         extra="; award £1,500 per practice + £%.2f per weighted patient; 80%% paid upfront "
                               "quarterly as an aspiration payment, settled in March (recover)" % qif_rate)
        self.add_rule("QIF", "QIF", "threshold", "Practice award (80% aspiration payment)",
                      "%.4f" % qif_rate, "year", "weighted", fixed="1500.00", upfront="80",
                      lower="60", upper="95", settlement="recover")
        # PENG: per practice £1,000 + per head; 80% upfront monthly, the 20%
        # remainder on achievement.
        budget = FOI_BY_CODE["PENG"][5]
        award_total = 0.99 * budget / 0.80
        rsum = sum(self.by_code[c]["lists"]["2024-04-01"][0] for c in all_codes)
        peng_rate = int((award_total - 1000 * n_q) / rsum * 100) / 100.0
        self.peng_rate = peng_rate
        self.add_service("PENG", "hold", "monthly",
                         extra="; award £1,000 per practice + £%.2f per registered patient; 80%% paid "
                               "monthly, the other 20%% on achievement" % peng_rate)
        self.add_rule("PENG", "ENGAGE", "threshold", "Practice engagement award", "%.4f" % peng_rate,
                      "year", "registered", fixed="1000.00", upfront="80", lower="50", upper="90",
                      settlement="remainder")
        # achievements ("latest recorded" figures; paid only in March)
        for service, mu, sd in (("FAA", 86, 9), ("QIF", 84, 10), ("PENG", 85, 11)):
            for (c, s, frm, to) in self.signups:
                if s != service or self.by_code[c]["close"]:
                    continue
                a = min(100.0, max(35.0, rng.gauss(mu, sd)))
                self.achievements.append((c, service, YEAR, pct_text(round(a, 2))))

        # --- item claims -----------------------------------------------------
        for code, spec in ITEM_SERVICES.items():
            if code == "OUTBRK":
                continue
            self.item_claims(code, spec, all_codes)
        # Outbreak: 70 patients in three practices of one PCN, Nov-Dec 2024
        pcn = rng.choice([p[0] for p in self.pcns if p[2] == "Central"])
        trio = sorted(rng.sample([p["code"] for p in self.practices if p["pcn"] == pcn], 3))
        splits = [(trio[0], "2024-11", 18), (trio[0], "2024-12", 9), (trio[1], "2024-11", 22),
                  (trio[2], "2024-12", 21)]
        for c, m, n in splits:
            self.claims.append(dict(practice=c, service="OUTBRK", item="PATIENT", period=m, count=n,
                                    submitted=self.submitted(m).isoformat(), late=False, dup=False,
                                    lines=None))

        # --- deliberate problems ----------------------------------------------
        # claims from practices after they left the service (NOT_SIGNED_UP)
        leavers = [s for s in self.signups if s[1] == "WOUND" and s[3] and s[3] < "2024-11-01"
                   and not self.by_code[s[0]]["close"]]
        for (c, s, frm, to) in leavers[:2]:
            m = "2024-11"
            self.claims.append(dict(practice=c, service="WOUND", item="ATTEND", period=m,
                                    count=rng.randint(8, 30), submitted=self.submitted(m).isoformat(),
                                    late=False, dup=False, lines=None))
        # the closed practice claims for October (NOT_SIGNED_UP + PRACTICE_CLOSED)
        self.claims.append(dict(practice=self.closing["code"], service="PHLEB", item="BLEED",
                                period="2024-10", count=41, submitted="2024-11-06", late=False,
                                dup=False, lines=None))
        # a quarterly service claimed for a non-quarter month (WRONG_PERIOD)
        c = rng.choice([s[0] for s in self.signups if s[1] == "SCDM" and s[2] == "2024-04-01" and not s[3]])
        self.claims.append(dict(practice=c, service="SCDM", item="PATIENT", period="2024-08", count=4,
                                submitted="2024-09-09", late=False, dup=False, lines=None))

        # --- patient lines for WARF and SMI ----------------------------------
        for cl in self.claims:
            if cl["service"] in ("WARF", "SMI"):
                days = month_last(cl["period"]).day
                f = month_first(cl["period"])
                dates = sorted(f + dt.timedelta(days=rng.randrange(days)) for _ in range(cl["count"]))
                cl["lines"] = [[self.new_nhs(), x.isoformat()] for x in dates]
        smi = [cl for cl in self.claims if cl["service"] == "SMI" and not cl["late"]]
        # four patients checked twice in the year (FREQUENCY_LIMIT), one of
        # them at another practice (moved)
        early = [cl for cl in smi if cl["period"] <= "2024-06"]
        later = [cl for cl in smi if cl["period"] >= "2024-09"]
        for i in range(4):
            a = rng.choice(early)
            if i < 3:
                same = [cl for cl in later if cl["practice"] == a["practice"]]
                b = rng.choice(same or later)
            else:
                b = rng.choice([cl for cl in later if cl["practice"] != a["practice"]])
            f = month_first(b["period"])
            b["lines"].append([rng.choice(a["lines"])[0],
                               (f + dt.timedelta(days=rng.randrange(month_last(b["period"]).day))).isoformat()])
            b["count"] += 1
        # three invalid NHS numbers (BAD_NHS_NUMBER)
        with_lines = [cl for cl in self.claims if cl["lines"]]
        for cl in rng.sample(with_lines, 3):
            ln = rng.choice(cl["lines"])
            n = ln[0]
            ln[0] = n[:9] + str((int(n[9]) + rng.randint(1, 9)) % 10)
        # two claims whose count disagrees with their lines (COUNT_MISMATCH)
        for cl in rng.sample(with_lines, 2):
            cl["count"] += 1
            cl["mismatch"] = True

        # --- duplicates (~0.5%), never for claims with patient lines ----------
        dups = []
        for cl in self.claims:
            if cl["lines"] is None and cl["service"] != "OUTBRK" and rng.random() < 0.006:
                cnt = cl["count"] if rng.random() < 0.7 else max(1, cl["count"] + rng.randint(-3, 3))
                sub = d(cl["submitted"]) + dt.timedelta(days=rng.randint(1, 21))
                dups.append(dict(cl, count=cnt, submitted=sub.isoformat(), dup=True, lines=None))
        self.claims.extend(dups)

        # --- claim refs -------------------------------------------------------
        self.claims.sort(key=lambda cl: (cl["submitted"], cl["practice"], cl["service"], cl["item"],
                                         cl["period"], cl["dup"]))
        for i, cl in enumerate(self.claims, 1):
            cl["ref"] = "DEMO-%06d" % i

    # ---- writing ------------------------------------------------------------
    def write(self, out):
        os.makedirs(out, exist_ok=True)
        write_csv(os.path.join(out, "practices.csv"),
                  ["practice_code", "practice_name", "pcn_code", "pcn_name", "open_date", "close_date"],
                  [[p["code"], p["name"], p["pcn"], p["pcn_name"], p["open"], p["close"]]
                   for p in self.practices])
        rows = []
        for p in self.practices:
            for date in LIST_DATES:
                if date in p["lists"]:
                    r, w = p["lists"][date]
                    rows.append([p["code"], date, r, w])
        write_csv(os.path.join(out, "list-sizes.csv"),
                  ["practice_code", "date", "registered", "weighted"], rows)
        order = {r[0]: i for i, r in enumerate(FOI)}
        self.services.sort(key=lambda s: order[s[0]])
        write_csv(os.path.join(out, "services.csv"),
                  ["service_code", "year", "name", "cap_mode", "budget", "schedule", "claim_frequency",
                   "claim_deadline_days", "start_date", "end_date", "description"], self.services)
        self.rules.sort(key=lambda r: order[r[0]])
        write_csv(os.path.join(out, "rules.csv"),
                  ["service_code", "year", "rule_code", "kind", "description", "rate", "rate_per", "base",
                   "max_units_per_practice", "max_per_patient", "fixed_amount", "upfront_pct", "lower_pct",
                   "upper_pct", "settlement"], self.rules)
        write_csv(os.path.join(out, "signups.csv"),
                  ["practice_code", "service_code", "year", "from_date", "to_date"],
                  sorted([c, s, YEAR, f, t] for (c, s, f, t) in self.signups))
        write_csv(os.path.join(out, "cohorts.csv"), ["practice_code", "service_code", "year", "size"],
                  sorted([c, s, YEAR, n] for (c, s, n) in self.cohorts))
        write_csv(os.path.join(out, "allocations.csv"),
                  ["practice_code", "service_code", "year", "block_amount", "cap_amount"],
                  sorted([c, s, YEAR, b, k] for (c, s, b, k) in self.allocations))
        write_csv(os.path.join(out, "claims.csv"),
                  ["claim_ref", "practice_code", "service_code", "item_code", "period", "count",
                   "submitted_date"],
                  [[cl["ref"], cl["practice"], cl["service"], cl["item"], cl["period"], cl["count"],
                    cl["submitted"]] for cl in self.claims])
        rows = []
        for cl in sorted(self.claims, key=lambda c: c["ref"]):
            for n, date in cl["lines"] or []:
                rows.append([cl["ref"], n, date])
        write_csv(os.path.join(out, "patient-activity.csv"), ["claim_ref", "nhs_number", "activity_date"],
                  rows)
        write_csv(os.path.join(out, "achievements.csv"),
                  ["practice_code", "service_code", "year", "achieved_pct"], sorted(self.achievements))

    def write_ledger(self, out):
        """Ledger actuals: FOI spend to date spread over April-December in
        proportion to the estimated payable of each month (so quarterly and
        late-starting services post in their payment months)."""
        est = estimate(out)
        rows = []
        ref = 240000
        for code, *_rest in FOI:
            spend = FOI_BY_CODE[code][7] * 100
            if spend == 0:
                continue
            per = est[code]["by_period"]
            months = [m for m in TO_MONTHS if per.get(m, 0) > 0]
            tot = sum(per[m] for m in months)
            done = 0
            for i, m in enumerate(months):
                if i == len(months) - 1:
                    amt = spend - done
                else:
                    amt = spend * per[m] // tot
                done += amt
                ref += 1
                rows.append([code, m, pounds(amt), "GL-%d" % ref])
        write_csv(os.path.join(out, "ledger.csv"), ["service_code", "period", "amount", "reference"], rows)


# --------------------------------------------------------------------------
# The payable estimate (--check): RULES.md for what the demo uses, read back
# from the written files.  Item rules: claim errors, patient lines, per-patient
# limit; capitation; block; threshold upfront; practice caps; service hold /
# prorata caps.  Periods April to December 2024 only.
# --------------------------------------------------------------------------
def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{k.strip().lower(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def estimate(dirname, to=TO):
    R = lambda name: read_csv(os.path.join(dirname, name))
    practices = {r["practice_code"].upper(): r for r in R("practices.csv")}
    lists = defaultdict(list)
    for r in R("list-sizes.csv"):
        lists[r["practice_code"].upper()].append((r["date"], int(r["registered"]),
                                                   int(r["weighted"]) if r.get("weighted") else None))
    for v in lists.values():
        v.sort()
    services = {r["service_code"].upper(): r for r in R("services.csv") if r["year"] == YEAR}
    rules = defaultdict(list)
    for r in R("rules.csv"):
        if r["year"] == YEAR:
            rules[r["service_code"].upper()].append(r)
    signups = defaultdict(list)
    for r in R("signups.csv"):
        if r["year"] == YEAR:
            signups[(r["practice_code"].upper(), r["service_code"].upper())].append(
                (r["from_date"], r.get("to_date", "")))
    cohorts = {(r["practice_code"].upper(), r["service_code"].upper()): int(r["size"])
               for r in R("cohorts.csv") if r["year"] == YEAR}
    allocs = {(r["practice_code"].upper(), r["service_code"].upper()): r
              for r in R("allocations.csv") if r["year"] == YEAR}
    claims = R("claims.csv")
    plines = defaultdict(list)
    for r in R("patient-activity.csv"):
        plines[r["claim_ref"].upper()].append(r)

    months = MONTHS[:MONTHS.index(to) + 1]

    def signed(pc, sc, period):
        f, l = month_first(period).isoformat(), month_last(period).isoformat()
        return any(frm <= l and (not t or t >= f) for frm, t in signups.get((pc, sc), []))

    def list_at(pc, date, base):
        best = None
        for row in lists.get(pc, []):
            if row[0] <= date:
                best = row
        if best is None:
            return None
        return best[1] if base == "registered" else best[2]

    result = {}
    for sc, svc in services.items():
        sched = svc.get("schedule") or "monthly"
        freq = svc.get("claim_frequency") or "monthly"
        start, end = svc.get("start_date", ""), svc.get("end_date", "")
        lines = {}   # (period, practice, rule) -> [gross, units]

        def in_dates(period):
            f, l = month_first(period).isoformat(), month_last(period).isoformat()
            return (not start or start <= l) and (not end or end >= f)

        if sched == "quarterly":
            periods = [m for m in months if m[5:] in QUARTER_ENDS]
            n, mip = 4, 3
        else:
            periods = list(months)
            n, mip = 12, 1
        item_rules = {}
        for rule in rules[sc]:
            kind = rule["kind"].lower()
            rc = rule["rule_code"].upper()
            if kind == "item":
                item_rules[rc] = rule
                continue
            for period in periods:
                if not in_dates(period):
                    continue
                first = month_first(MONTHS[MONTHS.index(period) - mip + 1]).isoformat()
                for pc in sorted(practices):
                    if not signed(pc, sc, period):
                        continue
                    if kind == "capitation":
                        base = rule["base"].lower()
                        if base in ("cohort", "beds"):
                            bv = cohorts.get((pc, sc))
                        else:
                            bv = list_at(pc, first, base)
                        if bv is None:
                            continue
                        mrp = {"year": 12, "quarter": 3, "month": 1}[rule["rate_per"].lower()]
                        g = rdiv(to_hp(rule["rate"]) * bv * mip, mrp * 100)
                    else:
                        if kind == "block":
                            a = allocs.get((pc, sc))
                            if not a or not a.get("block_amount"):
                                continue
                            A = to_pence(a["block_amount"])
                        else:       # threshold upfront
                            base = rule.get("base", "").lower()
                            award = to_hp(rule["fixed_amount"]) if rule.get("fixed_amount") else 0
                            if rule.get("rate"):
                                bv = list_at(pc, FY_START.isoformat(), base)
                                if bv is None:
                                    continue
                                award += to_hp(rule["rate"]) * bv
                            up = to_pct100(rule["upfront_pct"]) if rule.get("upfront_pct") else 0
                            A = rdiv(award * up, 100 * 100 * 100)
                        g = A // n if period != "2025-03" else A - (n - 1) * (A // n)
                    lines[(period, pc, rc)] = [g, None]

        # item claims
        scl = [c for c in claims if c["service_code"].upper() == sc and c["period"] in months]
        groups = defaultdict(list)
        for c in scl:
            groups[(c["practice_code"].upper(), c["item_code"].upper(), c["period"])].append(c)
        dup_refs = set()
        for g in groups.values():
            g.sort(key=lambda c: (c["submitted_date"], c["claim_ref"].upper()))
            for c in g[1:]:
                dup_refs.add(c["claim_ref"].upper())
        ok_claims = []
        for c in scl:
            ref = c["claim_ref"].upper()
            pc, period = c["practice_code"].upper(), c["period"]
            err = False
            if c["item_code"].upper() not in item_rules:
                err = True
            if not signed(pc, sc, period):
                err = True
            cd = practices.get(pc, {}).get("close_date", "")
            if cd and cd < month_first(period).isoformat():
                err = True
            if not in_dates(period):
                err = True
            if freq == "quarterly" and period[5:] not in QUARTER_ENDS:
                err = True
            if freq == "annual" and period[5:] != "03":
                err = True
            dl = svc.get("claim_deadline_days", "")
            if dl and c["submitted_date"] > (month_last(period) + dt.timedelta(days=int(dl))).isoformat():
                err = True
            if ref in dup_refs:
                err = True
            pl = plines.get(ref, [])
            if pl and len(pl) != int(c["count"]):
                err = True
            if not err:
                ok_claims.append(c)
        # patient lines
        units = {}
        good = []          # (rule, nhs, date, ref, idx)
        for c in ok_claims:
            ref = c["claim_ref"].upper()
            pl = plines.get(ref, [])
            if not pl:
                units[ref] = int(c["count"])
                continue
            units[ref] = 0
            q_first = month_first(c["period"]).isoformat()
            q_last = month_last(c["period"]).isoformat()
            if freq == "quarterly":
                q_first = month_first(MONTHS[MONTHS.index(c["period"]) - 2]).isoformat()
            elif freq == "annual":
                q_first = FY_START.isoformat()
            for i, ln in enumerate(pl):
                nhs = ln["nhs_number"].replace(" ", "")
                if nhs_valid(nhs) and q_first <= ln["activity_date"] <= q_last:
                    good.append((c["item_code"].upper(), nhs, ln["activity_date"], ref, i))
        seen = Counter()
        for rc, nhs, date, ref, i in sorted(good):
            mpp = item_rules[rc].get("max_per_patient", "")
            seen[(rc, nhs)] += 1
            if mpp and seen[(rc, nhs)] > int(mpp):
                continue
            units[ref] += 1
        agg = defaultdict(int)
        for c in ok_claims:
            agg[(c["period"], c["practice_code"].upper(), c["item_code"].upper())] += units[c["claim_ref"].upper()]
        for key, u in agg.items():
            g = rdiv(u * to_hp(item_rules[key[2]]["rate"]), 100)
            lines[key] = [g, u]

        # caps, in line order
        ordered = sorted((k, v) for k, v in lines.items() if v[0] != 0)
        unit_run = Counter()
        prac_run = Counter()
        out = []
        for (period, pc, rc), (g, u) in ordered:
            p = g
            rule = item_rules.get(rc)
            if rule is not None and rule.get("max_units_per_practice"):
                cap = int(rule["max_units_per_practice"])
                before = unit_run[(pc, rc)]
                unit_run[(pc, rc)] += u
                capped = max(0, min(u, cap - before))
                p = rdiv(capped * to_hp(rule["rate"]), 100)
            a = allocs.get((pc, sc))
            if a and a.get("cap_amount") and p > 0:
                cap = to_pence(a["cap_amount"])
                room = max(0, cap - prac_run[pc])
                p = min(p, room)
                prac_run[pc] += p
            out.append([period, pc, rc, g, p])
        budget = to_pence(svc["budget"]) if svc.get("budget") else None
        mode = (svc.get("cap_mode") or "none").lower()
        if budget is not None and mode == "hold":
            run = 0
            for ln in out:
                if ln[4] > 0:
                    ln[4] = min(ln[4], max(0, budget - run))
                    run += ln[4]
        elif budget is not None and mode == "prorata":
            T = sum(ln[4] for ln in out if ln[4] > 0)
            if T > budget:
                for ln in out:
                    if ln[4] > 0:
                        ln[4] = ln[4] * budget // T
        by_period = defaultdict(int)
        for ln in out:
            by_period[ln[0]] += ln[4]
        result[sc] = dict(payable=sum(ln[4] for ln in out), gross=sum(ln[3] for ln in out),
                          by_period=dict(by_period), lines=len(out))
    return result


def outlier_report(dirname):
    """Per item rule: practices whose units per registered patient (year to
    December) exceed 3x the median (RULES.md section 6, approximately)."""
    est_claims = read_csv(os.path.join(dirname, "claims.csv"))
    lists = defaultdict(list)
    for r in read_csv(os.path.join(dirname, "list-sizes.csv")):
        lists[r["practice_code"]].append((r["date"], int(r["registered"])))
    units = defaultdict(Counter)
    for c in est_claims:
        units[(c["service_code"], c["item_code"])][c["practice_code"]] += int(c["count"])
    out = []
    for key in sorted(units):
        figs = {}
        for pc, u in units[key].items():
            rows = [x for x in sorted(lists[pc]) if x[0] <= "2024-12-01"]
            if rows and rows[-1][1] > 0 and u > 0:
                figs[pc] = u / rows[-1][1]
        if len(figs) < 5:
            continue
        v = sorted(figs.values())
        k = len(v)
        med = v[k // 2] if k % 2 else (v[k // 2 - 1] + v[k // 2]) / 2
        for pc in sorted(figs):
            if figs[pc] > 3 * med:
                out.append((key[0], key[1], pc, figs[pc] / med))
    return out


def check(dirname):
    est = estimate(dirname)
    ok = True
    print("| service | FOI spend to date (£) | estimated payable to Dec 2024 (£) | difference |")
    print("|---|---:|---:|---:|")
    tf = te = 0
    for code, *_r in FOI:
        foi = FOI_BY_CODE[code][7] * 100
        e = est.get(code, {}).get("payable", 0)
        tf += foi
        te += e
        if foi == 0:
            diff = 0.0 if e == 0 else float("inf")
        else:
            diff = (e - foi) / foi
        bad = abs(diff) > TOLERANCE
        ok = ok and not bad
        print("| %s | %s | %s | %+.1f%%%s |" % (code, "{:,.2f}".format(foi / 100), "{:,.2f}".format(e / 100),
                                             diff * 100, " **over 10%**" if bad else ""))
    print("| **total** | %s | %s | %+.1f%% |" % ("{:,.2f}".format(tf / 100), "{:,.2f}".format(te / 100),
                                                 (te - tf) / tf * 100))
    outl = outlier_report(dirname)
    if outl:
        print()
        print("Outlying practices (units per registered patient > 3 x median):")
        for s, r, pc, x in outl:
            print("  %s/%s %s: %.1f x median" % (s, r, pc, x))
    print()
    print("all within 10%" if ok else "SOME SERVICES ARE MORE THAN 10% AWAY")
    return ok


def main():
    ap = argparse.ArgumentParser(description="Generate the LES Claims demo data set (synthetic).")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--check", action="store_true",
                    help="after generating, estimate payable to December 2024 and compare with the FOI")
    ap.add_argument("--check-only", action="store_true", help="check the files in --out without generating")
    a = ap.parse_args()
    if not a.check_only:
        demo = Demo(a.seed)
        demo.make_everything()
        demo.write(a.out)
        demo.write_ledger(a.out)
        tot = sum(p["lists"]["2024-04-01"][0] for p in demo.practices)
        print("wrote %s: %d practices in %d PCNs, %d registered on 2024-04-01, %d claims, %d patient lines"
              % (a.out, len(demo.practices), len(demo.pcns), tot, len(demo.claims),
                 sum(len(c["lines"] or []) for c in demo.claims)), file=sys.stderr)
    if a.check or a.check_only:
        return 0 if check(a.out) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
