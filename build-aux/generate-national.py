#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate a national-scale SYNTHETIC data set for LES Claims benchmarks.

    build-aux/generate-national.py [--seed N] --out DIR [--practices 6500]
        [--services 30] [--months 12] [--claims-only]
    build-aux/generate-national.py [--seed N] --claims-rows 1000000 --out DIR
        [--practices 6500] [--services 30] [--claims-only]

Full mode writes the import CSVs (FORMATS.md) for 2024/25: practices.csv
(~1,250 PCNs), list-sizes.csv, services.csv, rules.csv, signups.csv,
cohorts.csv, allocations.csv, achievements.csv, ledger.csv and claims.csv
(about 3 million rows for 12 months with the defaults: one claim per
practice x item rule x month where the practice is signed up and had
activity, ~1% late, ~0.5% duplicates).

--claims-rows N writes only practices.csv, services.csv, rules.csv
(item services only), signups.csv (every practice signed up to every item
service for the whole year) and a claims.csv of exactly N rows, for the
import benchmark.

--claims-only writes only claims.csv (the other files are what the same
seed and options give without it).

Everything is invented and deterministic for a seed.  Python 3 standard
library only.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time

YEAR = "2024/25"
MONTHS = ["2024-%02d" % m for m in range(4, 13)] + ["2025-%02d" % m for m in range(1, 4)]
LIST_DATES = ["2024-04-01", "2024-07-01", "2024-10-01", "2025-01-01"]
QUARTER_ENDS = ("06", "09", "12", "03")
LETTERS = "ABCDEFGHJKLMN"          # ODS-shaped codes: one letter + five digits
ITEM_RATES = [3.5, 12.0, 17.0, 20.0, 25.0, 30.0, 36.0, 45.0, 50.0, 55.0, 60.0, 70.0, 90.0,
              120.0, 193.0, 255.0]
DEADLINE = 60
N_NON_ITEM = 6                      # 2 capitation, 2 block, 2 threshold


def month_last(period):
    y, m = int(period[:4]), int(period[5:7])
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def money(pence):
    return "%d.%02d" % (pence // 100, pence % 100)


def practice_code(i):
    return "%s%05d" % (LETTERS[i % len(LETTERS)], 90001 + i // len(LETTERS))


class National:
    def __init__(self, seed, n_practices, n_services, n_months, items_only=False):
        if n_practices < 1 or n_practices > len(LETTERS) * 9999:
            raise SystemExit("--practices must be 1..%d" % (len(LETTERS) * 9999))
        if not 1 <= n_months <= 12:
            raise SystemExit("--months must be 1..12")
        if n_services < 1:
            raise SystemExit("--services must be at least 1")
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = n_practices
        self.months = MONTHS[:n_months]
        self.items_only = items_only
        n_item = max(1, n_services - N_NON_ITEM) if n_services > N_NON_ITEM else n_services
        self.n_item = n_item
        self.n_other = 0 if (items_only or n_services <= N_NON_ITEM) else N_NON_ITEM
        self.make_practices()
        self.make_services()
        self.make_signups()

    # ------------------------------------------------------------------
    def make_practices(self):
        rng = self.rng
        n = self.n
        n_pcn = max(1, int(round(n / 5.2)))
        self.n_pcn = n_pcn
        base = min(2, n // n_pcn)
        pcn_of = []
        for p in range(n_pcn):
            pcn_of += [p] * base
        pcn_of += [rng.randrange(n_pcn) for _ in range(n - len(pcn_of))]
        rng.shuffle(pcn_of)
        self.codes = [practice_code(i) for i in range(n)]
        self.pcn_of = pcn_of
        regs = []
        for i in range(n):
            r = int(8500 * rng.lognormvariate(0, 0.5))
            regs.append(max(900, min(60000, r)))
        self.lists = []              # per practice: [(reg, weighted)] per list date
        for i in range(n):
            r = regs[i]
            wf = min(1.25, max(0.8, rng.gauss(1.0, 0.07)))
            rows = []
            for q in range(len(LIST_DATES)):
                if q:
                    r = int(r * (1 + rng.gauss(0.0035, 0.004)))
                rows.append((r, int(r * wf)))
            self.lists.append(rows)
        self.reg0 = [rows[0][0] for rows in self.lists]
        # budgets of the scheduled services are sized for ~62.5m patients
        self.scale = sum(self.reg0) / 62500000.0
        # a few practices close during the year (about 0.3%)
        self.close = [""] * n
        for i in rng.sample(range(n), max(0, n // 300)):
            self.close[i] = rng.choice(["2024-09-30", "2024-12-31"])

    def make_services(self):
        rng = self.rng
        self.services = []           # dict(code, name, kind, ...)
        self.item_rules = []         # (service index, rule code, rate_pence, units per 1000 per month)
        for k in range(self.n_item):
            code = "NI%02d" % (k + 1)
            quarterly = (k % 24 == 5) and not self.items_only
            svc = dict(code=code, name="National synthetic item service %02d" % (k + 1), kind="item",
                       cap_mode="none", schedule="monthly",
                       claim_frequency="quarterly" if quarterly else "monthly", rules=[])
            n_rules = 1 if k % 5 == 4 else 2
            for r in range(n_rules):
                rate = rng.choice(ITEM_RATES)
                # high volume for cheap items, low volume for dear ones
                # (about £40 per 1,000 patients a month, at least 0.3 units)
                per1000 = max(0.3, 40.0 / rate * rng.uniform(0.3, 1.6))
                if quarterly:
                    per1000 *= 3
                rc = "R%d" % (r + 1)
                svc["rules"].append((rc, rate, per1000))
                self.item_rules.append((k, rc, int(round(rate * 100)), per1000))
            self.services.append(svc)
        if self.n_other:
            self.services += [
                dict(code="NC01", name="National synthetic capitation (per registered patient)",
                     kind="capitation", cap_mode="none", schedule="quarterly", claim_frequency="monthly",
                     rules=[("PHP", "0.4100", "year", "registered")]),
                dict(code="NC02", name="National synthetic capitation (per care home bed)",
                     kind="capitation", cap_mode="none", schedule="monthly", claim_frequency="monthly",
                     rules=[("BED", "130.0000", "year", "beds")]),
                dict(code="NB01", name="National synthetic block (capped)", kind="block",
                     cap_mode="hold", schedule="monthly", claim_frequency="monthly", rules=[("BLOCK",)]),
                dict(code="NB02", name="National synthetic block", kind="block", cap_mode="none",
                     schedule="quarterly", claim_frequency="monthly", rules=[("BLOCK",)]),
                dict(code="NT01", name="National synthetic quality framework (recover)", kind="threshold",
                     cap_mode="hold", schedule="quarterly", claim_frequency="monthly",
                     rules=[("QIF", "2.1050", "weighted", "1500.00", "80", "60", "95", "recover")]),
                dict(code="NT02", name="National synthetic target award (remainder)", kind="threshold",
                     cap_mode="none", schedule="quarterly", claim_frequency="monthly",
                     rules=[("TARGET", "6.0000", "registered", "0.00", "70", "50", "90", "remainder")]),
            ]

    def make_signups(self):
        rng = self.rng
        self.signups = []            # per service: list of (practice index, from, to)
        for svc in self.services:
            rows = []
            for i in range(self.n):
                if self.items_only:
                    rows.append((i, "2024-04-01", ""))
                    continue
                if rng.random() >= 0.93:
                    continue
                frm, to = "2024-04-01", ""
                r = rng.random()
                if r < 0.02:
                    frm = rng.choice(["2024-07-01", "2024-10-01"])
                elif r < 0.035:
                    to = rng.choice(["2024-09-30", "2024-11-30"])
                if self.close[i] and (not to or to > self.close[i]):
                    to = self.close[i]
                    if frm > to:
                        continue
                rows.append((i, frm, to))
            svc["signups"] = rows
        # months each practice is signed up for, per service (bit mask)
        for svc in self.services:
            masks = {}
            for (i, frm, to) in svc["signups"]:
                m = 0
                for k, period in enumerate(self.months):
                    first = period + "-01"
                    last = month_last(period).isoformat()
                    if frm <= last and (not to or to >= first):
                        m |= 1 << k
                masks[i] = masks.get(i, 0) | m
            svc["mask"] = masks

    # ------------------------------------------------------------------
    def expected_item_payable(self, svc):
        tot = 0.0
        for (rc, rate, per1000) in svc["rules"]:
            for i, mask in svc["mask"].items():
                tot += self.reg0[i] / 1000.0 * per1000 * bin(mask).count("1") * rate
        if svc["claim_frequency"] == "quarterly":
            tot /= 3
        return tot * 12 / len(self.months)

    def write_reference(self, out):
        rng = self.rng
        W = lambda name, header, lines: write_lines(os.path.join(out, name), header, lines)
        W("practices.csv", "practice_code,practice_name,pcn_code,pcn_name,open_date,close_date",
          ("%s,National Synthetic Practice %05d,U%05d,National Synthetic PCN %05d,,%s"
           % (self.codes[i], i + 1, 10001 + self.pcn_of[i], self.pcn_of[i] + 1, self.close[i])
           for i in range(self.n)))
        if not self.items_only:
            def ls():
                for i in range(self.n):
                    for q, date in enumerate(LIST_DATES):
                        if self.close[i] and date > self.close[i]:
                            break
                        r, w = self.lists[i][q]
                        yield "%s,%s,%d,%d" % (self.codes[i], date, r, w)
            W("list-sizes.csv", "practice_code,date,registered,weighted", ls())
        svc_lines = []
        rule_lines = []
        for k, svc in enumerate(self.services):
            budget = ""
            if svc["kind"] == "item":
                exp = self.expected_item_payable(svc)
                if k == 0:
                    svc["cap_mode"] = "prorata"      # the budget is a little short: prorata bites
                budget = money(int(exp * (0.97 if k == 0 else 1.15)) * 100)
                dl = "" if self.items_only else str(DEADLINE)
            else:
                dl = ""
                pounds = {"NC01": 30000000, "NC02": 60000000, "NB01": 45000000, "NB02": None,
                          "NT01": 150000000, "NT02": None}[svc["code"]]
                budget = "" if pounds is None else money(int(pounds * self.scale) * 100)
            svc_lines.append("%s,%s,%s,%s,%s,%s,%s,%s,,,Synthetic national benchmark data"
                             % (svc["code"], YEAR, svc["name"], svc["cap_mode"], budget, svc["schedule"],
                                svc["claim_frequency"], dl))
            for rule in svc["rules"]:
                if svc["kind"] == "item":
                    rc, rate, _ = rule
                    rule_lines.append("%s,%s,%s,item,Item %s,%.2f,,,,,,,,," % (svc["code"], YEAR, rc, rc, rate))
                elif svc["kind"] == "capitation":
                    rc, rate, per, base = rule
                    rule_lines.append("%s,%s,%s,capitation,Per head,%s,%s,%s,,,,,,,"
                                      % (svc["code"], YEAR, rc, rate, per, base))
                elif svc["kind"] == "block":
                    rule_lines.append("%s,%s,BLOCK,block,Annual block,,,,,,,,,," % (svc["code"], YEAR))
                else:
                    rc, rate, base, fixed, up, lo, hi, settle = rule
                    rule_lines.append("%s,%s,%s,threshold,Award,%s,year,%s,,,%s,%s,%s,%s,%s"
                                      % (svc["code"], YEAR, rc, rate, base, fixed, up, lo, hi, settle))
        W("services.csv", "service_code,year,name,cap_mode,budget,schedule,claim_frequency,"
          "claim_deadline_days,start_date,end_date,description", svc_lines)
        W("rules.csv", "service_code,year,rule_code,kind,description,rate,rate_per,base,"
          "max_units_per_practice,max_per_patient,fixed_amount,upfront_pct,lower_pct,upper_pct,settlement",
          rule_lines)
        W("signups.csv", "practice_code,service_code,year,from_date,to_date",
          ("%s,%s,%s,%s,%s" % (self.codes[i], svc["code"], YEAR, frm, to)
           for svc in self.services for (i, frm, to) in svc["signups"]))
        if self.items_only:
            return
        by_code = {s["code"]: s for s in self.services}
        # cohorts: care-home beds
        coh = []
        if "NC02" in by_code:
            for (i, frm, to) in by_code["NC02"]["signups"]:
                beds = int(self.reg0[i] / 1000.0 * rng.lognormvariate(1.6, 0.8))
                coh.append("%s,NC02,%s,%d" % (self.codes[i], YEAR, beds))
        W("cohorts.csv", "practice_code,service_code,year,size", coh)
        # allocations: blocks (NB01 with practice caps)
        al = []
        for code in ("NB01", "NB02"):
            if code not in by_code:
                continue
            for (i, frm, to) in by_code[code]["signups"]:
                amount = int(self.reg0[i] * rng.uniform(0.4, 1.1)) * 100
                cap = money(amount) if code == "NB01" else ""
                al.append("%s,%s,%s,%s,%s" % (self.codes[i], code, YEAR, money(amount), cap))
        W("allocations.csv", "practice_code,service_code,year,block_amount,cap_amount", al)
        ach = []
        for code in ("NT01", "NT02"):
            if code not in by_code:
                continue
            for (i, frm, to) in by_code[code]["signups"]:
                a = min(100.0, max(30.0, rng.gauss(82, 12)))
                ach.append("%s,%s,%s,%.2f" % (self.codes[i], code, YEAR, a))
        W("achievements.csv", "practice_code,service_code,year,achieved_pct", ach)
        led = []
        ref = 0
        for svc in self.services:
            if svc["kind"] == "item":
                monthly = self.expected_item_payable(svc) / 12
            else:
                monthly = {"NC01": 2200000, "NC02": 4500000, "NB01": 3300000, "NB02": 3500000,
                           "NT01": 9000000, "NT02": 25000000}[svc["code"]] * self.scale
            for m in self.months:
                ref += 1
                led.append("%s,%s,%s,GL-N%06d" % (svc["code"], m, money(int(monthly * rng.uniform(0.9, 1.1) * 100)), ref))
        W("ledger.csv", "service_code,period,amount,reference", led)

    # ------------------------------------------------------------------
    def submitted_tables(self):
        """Per month: on-time submission dates (2-20 days after month end) and
        late ones (deadline + 1 to 45 days)."""
        ontime, late = {}, {}
        for m in self.months:
            end = month_last(m)
            ontime[m] = [(end + dt.timedelta(days=k)).isoformat() for k in range(2, 21)]
            late[m] = [(end + dt.timedelta(days=DEADLINE + k)).isoformat() for k in range(1, 46)]
        return ontime, late

    def write_claims(self, out):
        """About one claim per practice x item rule x month signed up."""
        rng = random.Random(self.seed * 7919 + 17)
        rnd = rng.random
        ontime, late = self.submitted_tables()
        path = os.path.join(out, "claims.csv")
        n_rows = 0
        seq = 0
        # per item rule: (service code, rule code, quarterly, lambda per practice, mask per practice)
        plan = []
        for svc in self.services:
            if svc["kind"] != "item":
                continue
            q = svc["claim_frequency"] == "quarterly"
            for (rc, rate, per1000) in svc["rules"]:
                lam = {}
                for i in svc["mask"]:
                    lam[i] = self.reg0[i] / 1000.0 * per1000 * rng.lognormvariate(0, 0.35)
                # two outlying practices per rule
                for i in rng.sample(sorted(svc["mask"]), min(2, len(svc["mask"]))):
                    lam[i] *= 4.5
                plan.append((svc["code"], rc, q, lam, svc["mask"]))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n")
            codes = self.codes
            for k, m in enumerate(self.months):
                bit = 1 << k
                qend = m[5:] in QUARTER_ENDS
                on, lt = ontime[m], late[m]
                n_on, n_lt = len(on), len(lt)
                buf = []
                dups = []
                for i in range(self.n):
                    pc = codes[i]
                    for (sc, rc, q, lam, mask) in plan:
                        mk = mask.get(i)
                        if mk is None or not (mk & bit) or (q and not qend):
                            continue
                        cnt = int(lam[i] * (0.7 + 0.6 * rnd()) + rnd())
                        if cnt <= 0:
                            continue
                        r = rnd()
                        if r < 0.01:
                            sub = lt[int(r * 100 * n_lt)]
                        else:
                            sub = on[int(r * n_on)]
                        seq += 1
                        row = "N%09d,%s,%s,%s,%s,%d,%s\n" % (seq, pc, sc, rc, m, cnt, sub)
                        buf.append(row)
                        if r > 0.995:
                            dups.append((pc, sc, rc, cnt, sub))
                for (pc, sc, rc, cnt, sub) in dups:
                    seq += 1
                    sub2 = (dt.date.fromisoformat(sub) + dt.timedelta(days=rng.randint(1, 14))).isoformat()
                    buf.append("N%09d,%s,%s,%s,%s,%d,%s\n" % (seq, pc, sc, rc, m, cnt, sub2))
                f.writelines(buf)
                n_rows += len(buf)
        return n_rows

    def write_claims_exact(self, out, n_rows):
        """Exactly n_rows claims: a random choice of distinct practice x rule x
        month cells (in month, practice, rule order); if n_rows exceeds the
        cells, the rest are later resubmissions (duplicates)."""
        rng = random.Random(self.seed * 7919 + 29)
        rnd = rng.random
        ontime, late = self.submitted_tables()
        rules = [(s["code"], rc, per1000, s["claim_frequency"] == "quarterly")
                 for s in self.services if s["kind"] == "item" for (rc, rate, per1000) in s["rules"]]
        nr = len(rules)
        nm = len(self.months)
        cap = nm * self.n * nr
        if n_rows <= cap:
            cells = sorted(rng.sample(range(cap), n_rows))
            extra = []
        else:
            cells = range(cap)
            extra = sorted(rng.randrange(cap) for _ in range(n_rows - cap))
        path = os.path.join(out, "claims.csv")
        codes = self.codes
        reg0 = self.reg0
        seq = 0
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n")
            buf = []
            for group, dup in ((cells, False), (extra, True)):
                for c in group:
                    k, rest = divmod(c, self.n * nr)
                    i, r = divmod(rest, nr)
                    m = self.months[k]
                    sc, rc, per1000, q = rules[r]
                    cnt = int(reg0[i] / 1000.0 * per1000 * (0.7 + 0.6 * rnd()) + rnd()) or 1
                    x = rnd()
                    if dup:
                        sub = late[m][int(x * len(late[m]))]
                    elif x < 0.01:
                        sub = late[m][int(x * 100 * len(late[m]))]
                    else:
                        sub = ontime[m][int(x * len(ontime[m]))]
                    seq += 1
                    buf.append("N%09d,%s,%s,%s,%s,%d,%s\n" % (seq, codes[i], sc, rc, m, cnt, sub))
                    if len(buf) >= 100000:
                        f.writelines(buf)
                        buf = []
            f.writelines(buf)
        return seq


def write_lines(path, header, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        buf = []
        for ln in lines:
            buf.append(ln + "\n")
            if len(buf) >= 50000:
                f.writelines(buf)
                buf = []
        f.writelines(buf)


def main():
    ap = argparse.ArgumentParser(description="Generate a national-scale synthetic LES Claims data set.")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--practices", type=int, default=6500)
    ap.add_argument("--services", type=int, default=30)
    ap.add_argument("--months", type=int, default=12, help="months of claims from April 2024 (1-12)")
    ap.add_argument("--claims-only", action="store_true", help="write only claims.csv")
    ap.add_argument("--claims-rows", type=int, metavar="N",
                    help="import benchmark: item services only and exactly N claim rows")
    a = ap.parse_args()
    t0 = time.time()
    os.makedirs(a.out, exist_ok=True)
    exact = a.claims_rows is not None
    if exact and a.claims_rows < 0:
        ap.error("--claims-rows must be >= 0")
    nat = National(a.seed, a.practices, a.services, a.months, items_only=exact)
    if not a.claims_only:
        nat.write_reference(a.out)
    if exact:
        rows = nat.write_claims_exact(a.out, a.claims_rows)
    else:
        rows = nat.write_claims(a.out)
    print("wrote %s: %d practices in %d PCNs, %d services, %d claim rows in %.1f s"
          % (a.out, nat.n, nat.n_pcn, len(nat.services), rows, time.time() - t0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
