PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
PRAGMA user_version = 3;
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO meta VALUES('nhs_hmac_key','e57685c92d3fcafe64d57938b0306f27380a68c4a37fa2586a93ba37c9f44024');
CREATE TABLE pcns (
  pcn_code TEXT PRIMARY KEY,
  pcn_name TEXT
);
INSERT INTO pcns VALUES('U81005','Valley PCN');
CREATE TABLE practices (
  practice_code TEXT PRIMARY KEY,
  practice_name TEXT NOT NULL,
  pcn_code      TEXT NOT NULL REFERENCES pcns (pcn_code),
  open_date     TEXT,
  close_date    TEXT
);
INSERT INTO practices VALUES('G81001','Thornbury Surgery','U81005','1998-04-01',NULL);
INSERT INTO practices VALUES('G81002','Underhill Medical Centre','U81005','2001-09-01',NULL);
INSERT INTO practices VALUES('G81003','Valley Health Centre','U81005','1987-01-05','2024-05-20');
CREATE TABLE list_sizes (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  date          TEXT NOT NULL,
  registered    INTEGER NOT NULL CHECK (registered >= 0),
  weighted      INTEGER CHECK (weighted >= 0),   -- hundredths of a patient
  PRIMARY KEY (practice_code, date)
);
CREATE TABLE services (
  service_code        TEXT NOT NULL,
  year                INTEGER NOT NULL,
  name                TEXT NOT NULL,
  cap_mode            TEXT NOT NULL DEFAULT 'none' CHECK (cap_mode IN ('none', 'hold', 'prorata')),
  budget              INTEGER,
  schedule            TEXT NOT NULL DEFAULT 'monthly' CHECK (schedule IN ('monthly', 'quarterly')),
  claim_frequency     TEXT NOT NULL DEFAULT 'monthly' CHECK (claim_frequency IN ('monthly', 'quarterly', 'annual')),
  claim_deadline_days INTEGER CHECK (claim_deadline_days >= 0),
  start_date          TEXT,
  end_date            TEXT,
  description         TEXT,
  PRIMARY KEY (service_code, year)
);
INSERT INTO services VALUES('SMI',2024,'Physical Health Checks SMIs','none',100000,'monthly','monthly',30,NULL,NULL,'One full check per patient per year');
INSERT INTO services VALUES('SCDM',2024,'Shared Care Drug Monitoring','none',NULL,'monthly','quarterly',NULL,NULL,'2024-08-31','Quarterly claims; service ended in August');
CREATE TABLE rules (
  service_code           TEXT NOT NULL,
  year                   INTEGER NOT NULL,
  rule_code              TEXT NOT NULL,
  kind                   TEXT NOT NULL CHECK (kind IN ('item', 'capitation', 'block', 'threshold')),
  description            TEXT,
  rate                   INTEGER,
  rate_per               TEXT CHECK (rate_per IN ('year', 'quarter', 'month')),
  base                   TEXT CHECK (base IN ('registered', 'weighted', 'cohort', 'beds')),
  max_units_per_practice INTEGER CHECK (max_units_per_practice >= 0),
  max_per_patient        INTEGER CHECK (max_per_patient >= 0),
  fixed_amount           INTEGER,
  upfront_pct            INTEGER,
  lower_pct              INTEGER,
  upper_pct              INTEGER,
  settlement             TEXT CHECK (settlement IN ('remainder', 'recover')),
  PRIMARY KEY (service_code, year, rule_code),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
INSERT INTO rules VALUES('SMI',2024,'CHECK','item','Full health check',550000,NULL,NULL,NULL,1,NULL,NULL,NULL,NULL,NULL);
INSERT INTO rules VALUES('SCDM',2024,'MONITOR','item','Patient monitored',700000,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE signups (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  from_date     TEXT NOT NULL,
  to_date       TEXT,
  PRIMARY KEY (practice_code, service_code, year, from_date),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
INSERT INTO signups VALUES('G81001','SMI',2024,'2024-04-01',NULL);
INSERT INTO signups VALUES('G81002','SMI',2024,'2024-04-01',NULL);
INSERT INTO signups VALUES('G81003','SMI',2024,'2024-04-01',NULL);
INSERT INTO signups VALUES('G81001','SCDM',2024,'2024-04-01',NULL);
CREATE TABLE cohorts (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE TABLE allocations (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  block_amount  INTEGER CHECK (block_amount >= 0),
  cap_amount    INTEGER CHECK (cap_amount >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE TABLE claims (
  id                INTEGER PRIMARY KEY,
  claim_ref         TEXT NOT NULL UNIQUE,
  practice_code     TEXT NOT NULL REFERENCES practices (practice_code),
  service_code      TEXT NOT NULL,
  year              INTEGER NOT NULL,
  item_code         TEXT NOT NULL,
  period            TEXT NOT NULL,
  count             INTEGER NOT NULL CHECK (count >= 0),
  submitted_date    TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'submitted'
                    CHECK (status IN ('submitted', 'queried', 'approved', 'rejected', 'withdrawn')),
  status_reason     TEXT,
  FOREIGN KEY (service_code, year, item_code) REFERENCES rules (service_code, year, rule_code)
);
INSERT INTO claims VALUES(1,'S001','G81001','SMI',2024,'CHECK','2024-04',3,'2024-05-10','rejected','test');
INSERT INTO claims VALUES(2,'S002','G81002','SMI',2024,'CHECK','2024-04',2,'2024-05-12','approved',NULL);
INSERT INTO claims VALUES(3,'S003','G81001','SMI',2024,'CHECK','2024-05',2,'2024-06-30','submitted',NULL);
INSERT INTO claims VALUES(4,'S004','G81001','SMI',2024,'CHECK','2024-05',1,'2024-06-30','submitted',NULL);
INSERT INTO claims VALUES(5,'S005','G81002','SMI',2024,'CHECK','2024-06',3,'2024-08-05','submitted',NULL);
INSERT INTO claims VALUES(6,'S006','G81002','SMI',2024,'CHECK','2024-07',3,'2024-08-10','submitted',NULL);
INSERT INTO claims VALUES(7,'S007','G81003','SMI',2024,'CHECK','2024-06',2,'2024-07-05','submitted',NULL);
INSERT INTO claims VALUES(8,'S008','G81003','SMI',2024,'CHECK','2024-05',2,'2024-06-05','approved',NULL);
INSERT INTO claims VALUES(9,'S009','G81001','SMI',2024,'CHECK','2024-07',2,'2024-08-01','approved',NULL);
INSERT INTO claims VALUES(10,'S010','G81001','SMI',2024,'CHECK','2024-10',1,'2024-11-01','approved',NULL);
INSERT INTO claims VALUES(11,'Q001','G81001','SCDM',2024,'MONITOR','2024-06',4,'2024-07-15','approved',NULL);
INSERT INTO claims VALUES(12,'Q002','G81001','SCDM',2024,'MONITOR','2024-05',1,'2024-06-10','submitted',NULL);
INSERT INTO claims VALUES(13,'Q003','G81001','SCDM',2024,'MONITOR','2024-09',2,'2024-10-02','submitted',NULL);
INSERT INTO claims VALUES(14,'Q004','G81002','SCDM',2024,'MONITOR','2024-06',1,'2024-07-01','submitted',NULL);
CREATE TABLE patient_lines (
  claim_ref     TEXT NOT NULL REFERENCES claims (claim_ref),
  line_no       INTEGER NOT NULL,
  nhs_hash      TEXT,                 -- HMAC-SHA256 of a valid number; NULL when invalid
  activity_date TEXT NOT NULL,
  PRIMARY KEY (claim_ref, line_no)
);
INSERT INTO patient_lines VALUES('S001',1,'ebd645863eceb280ccc259da9fbe8acbb5fcff60322bcb623d10f7fe3e22235b','2024-04-03');
INSERT INTO patient_lines VALUES('S001',2,'8de42b347e9619c91d76a8234e5468b9e0fc92887c61dde517d3e7a1d1747de5','2024-04-10');
INSERT INTO patient_lines VALUES('S001',3,'2fb4aec3563dab270064d7e86d7977600efd15928b88d9557e43dc39e0427e7b','2024-04-15');
INSERT INTO patient_lines VALUES('S002',1,'ebd645863eceb280ccc259da9fbe8acbb5fcff60322bcb623d10f7fe3e22235b','2024-04-20');
INSERT INTO patient_lines VALUES('S002',2,'914fbc3ae1241ca604045a35e2eb7f6434c16090f45fd42d7a761bba4c06c8ee','2024-04-22');
INSERT INTO patient_lines VALUES('S003',1,'33feb0a70ab9288c69803c10510d5fd42fdf17479fc542025fd02b1987f10062','2024-05-02');
INSERT INTO patient_lines VALUES('S003',2,NULL,'2024-05-03');
INSERT INTO patient_lines VALUES('S004',1,'7bf21b6d859db25e5e82d3bd845a273d74d4ee7eb43fd6fe878f92904b6b080b','2024-05-05');
INSERT INTO patient_lines VALUES('S005',1,'c5a23c96b1b35c51e5af9f7289a91075b5f72f71664e0315ee4597d9ef626f84','2024-06-01');
INSERT INTO patient_lines VALUES('S005',2,'61ced0ac79b183243b52d412dd9b413304d9d3b84c47373c1e65484de506a1f7','2024-06-02');
INSERT INTO patient_lines VALUES('S005',3,'6e0a6c38edc3759cd65f148c67b9cdd9784cd5b091c9cd20a8e34c8bffce1175','2024-06-03');
INSERT INTO patient_lines VALUES('S006',1,'c5a23c96b1b35c51e5af9f7289a91075b5f72f71664e0315ee4597d9ef626f84','2024-07-01');
INSERT INTO patient_lines VALUES('S006',2,'61ced0ac79b183243b52d412dd9b413304d9d3b84c47373c1e65484de506a1f7','2024-06-30');
INSERT INTO patient_lines VALUES('S009',1,'c5a23c96b1b35c51e5af9f7289a91075b5f72f71664e0315ee4597d9ef626f84','2024-07-09');
INSERT INTO patient_lines VALUES('S009',2,'8de42b347e9619c91d76a8234e5468b9e0fc92887c61dde517d3e7a1d1747de5','2024-07-10');
INSERT INTO patient_lines VALUES('S010',1,'c622934143dad683b31d92b802de4282bff67992f084c0d39e49a9be87d30cca','2024-10-04');
CREATE TABLE achievements (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  achieved_pct  INTEGER NOT NULL CHECK (achieved_pct >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE TABLE ledger (
  service_code TEXT NOT NULL,
  year         INTEGER NOT NULL,
  period       TEXT NOT NULL,
  amount       INTEGER NOT NULL,
  reference    TEXT NOT NULL,
  PRIMARY KEY (service_code, period, reference),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE TABLE computes (
  year        INTEGER PRIMARY KEY,
  to_period   TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  computed_by TEXT NOT NULL
);
INSERT INTO computes VALUES(2024,'2025-03','2026-11-30T11:34:01Z','root');
CREATE TABLE payment_lines (
  id            INTEGER PRIMARY KEY,
  year          INTEGER NOT NULL,
  practice_code TEXT NOT NULL,
  service_code  TEXT NOT NULL,
  rule_code     TEXT NOT NULL,
  period        TEXT NOT NULL,
  units         INTEGER,
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,
  held          INTEGER NOT NULL,
  UNIQUE (year, practice_code, service_code, rule_code, period)
);
INSERT INTO payment_lines VALUES(1,2024,'G81001','SCDM','MONITOR','2024-06',4,28000,28000,0);
INSERT INTO payment_lines VALUES(3,2024,'G81001','SMI','CHECK','2024-05',1,5500,5500,0);
INSERT INTO payment_lines VALUES(4,2024,'G81001','SMI','CHECK','2024-07',2,11000,11000,0);
INSERT INTO payment_lines VALUES(5,2024,'G81001','SMI','CHECK','2024-10',1,5500,5500,0);
INSERT INTO payment_lines VALUES(6,2024,'G81002','SMI','CHECK','2024-04',2,11000,11000,0);
INSERT INTO payment_lines VALUES(7,2024,'G81003','SMI','CHECK','2024-05',2,11000,11000,0);
CREATE TABLE findings (
  id            INTEGER PRIMARY KEY,
  year          INTEGER NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
  code          TEXT NOT NULL,
  practice_code TEXT,
  service_code  TEXT,
  rule_code     TEXT,
  period        TEXT,
  claim_ref     TEXT,
  message       TEXT NOT NULL
);
INSERT INTO findings VALUES(1,2024,'error','WRONG_PERIOD','G81001','SCDM','MONITOR','2024-05','Q002','claim Q002: wrong period');
INSERT INTO findings VALUES(2,2024,'error','OUTSIDE_SERVICE_DATES','G81001','SCDM','MONITOR','2024-09','Q003','claim Q003: outside service dates');
INSERT INTO findings VALUES(3,2024,'error','NOT_SIGNED_UP','G81002','SCDM','MONITOR','2024-06','Q004','claim Q004: not signed up');
INSERT INTO findings VALUES(4,2024,'error','BAD_NHS_NUMBER','G81001','SMI','CHECK','2024-05','S003','patient line 2 of claim S003: NHS number fails the check');
INSERT INTO findings VALUES(5,2024,'error','DUPLICATE','G81001','SMI','CHECK','2024-05','S004','claim S004: duplicate');
INSERT INTO findings VALUES(6,2024,'error','LATE','G81002','SMI','CHECK','2024-06','S005','claim S005: late');
INSERT INTO findings VALUES(7,2024,'error','COUNT_MISMATCH','G81002','SMI','CHECK','2024-07','S006','claim S006: count mismatch');
INSERT INTO findings VALUES(8,2024,'error','DATE_OUTSIDE_PERIOD','G81002','SMI','CHECK','2024-07','S006','patient line 2 of claim S006: activity date 2024-06-30 not in 2024-07');
INSERT INTO findings VALUES(9,2024,'error','PRACTICE_CLOSED','G81003','SMI','CHECK','2024-06','S007','claim S007: practice closed');
CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  os_user    TEXT NOT NULL,
  action     TEXT NOT NULL,
  table_name TEXT,
  row_key    TEXT,
  before     TEXT,
  after      TEXT
);
INSERT INTO audit VALUES(1,'2026-11-30T11:34:00Z','root','migrate',NULL,NULL,NULL,'schema 0 → 3');
INSERT INTO audit VALUES(2,'2026-11-30T11:34:00Z','root','import','practices',NULL,NULL,'practices tests/examples/06-validation-and-patient-lines/practices.csv: 3 rows, 3 new, 0 changed, 0 unchanged, 0 skipped');
INSERT INTO audit VALUES(3,'2026-11-30T11:34:00Z','root','import','services',NULL,NULL,'services tests/examples/06-validation-and-patient-lines/services.csv: 2 rows, 2 new, 0 changed, 0 unchanged, 0 skipped');
INSERT INTO audit VALUES(4,'2026-11-30T11:34:00Z','root','import','rules',NULL,NULL,'rules tests/examples/06-validation-and-patient-lines/rules.csv: 2 rows, 2 new, 0 changed, 0 unchanged, 0 skipped');
INSERT INTO audit VALUES(5,'2026-11-30T11:34:00Z','root','import','signups',NULL,NULL,'signups tests/examples/06-validation-and-patient-lines/signups.csv: 4 rows, 4 new, 0 changed, 0 unchanged, 0 skipped');
INSERT INTO audit VALUES(6,'2026-11-30T11:34:00Z','root','import','claims',NULL,NULL,'claims tests/examples/06-validation-and-patient-lines/claims.csv: 14 rows, 14 new, 0 changed, 0 unchanged, 0 skipped');
INSERT INTO audit VALUES(7,'2026-11-30T11:34:00Z','root','import','patient_lines',NULL,NULL,'patient-activity tests/examples/06-validation-and-patient-lines/patient-activity.csv: 16 rows, 16 new, 0 changed, 0 unchanged, 0 skipped');
INSERT INTO audit VALUES(8,'2026-11-30T11:34:00Z','root','compute','payment_lines','2024/25',NULL,'2024/25 to 2025-03: 2 services, 14 claims, 7 payment lines (7 new, 0 changed, 0 removed; gross 775.00, payable 775.00, held 0.00), 11 findings (9 errors, 2 warnings)');
INSERT INTO audit VALUES(9,'2026-11-30T11:34:01Z','root','set-status','claims','S001','status=submitted','status=approved');
INSERT INTO audit VALUES(10,'2026-11-30T11:34:01Z','root','set-status','claims','S002','status=submitted','status=approved');
INSERT INTO audit VALUES(11,'2026-11-30T11:34:01Z','root','set-status','claims','S008','status=submitted','status=approved');
INSERT INTO audit VALUES(12,'2026-11-30T11:34:01Z','root','set-status','claims','S009','status=submitted','status=approved');
INSERT INTO audit VALUES(13,'2026-11-30T11:34:01Z','root','set-status','claims','S010','status=submitted','status=approved');
INSERT INTO audit VALUES(14,'2026-11-30T11:34:01Z','root','set-status','claims','Q001','status=submitted','status=approved');
INSERT INTO audit VALUES(15,'2026-11-30T11:34:01Z','root','compute','payment_lines','2024/25',NULL,'2024/25 to 2025-03: 2 services, 14 claims, 7 payment lines (0 new, 0 changed, 0 removed; gross 775.00, payable 775.00, held 0.00), 11 findings (9 errors, 2 warnings)');
INSERT INTO audit VALUES(16,'2026-11-30T11:34:01Z','root','payment-run','payment_runs','1',NULL,'run 1 of 2024/25 closes 2024-06: 4 lines, total 610.00');
INSERT INTO audit VALUES(17,'2026-11-30T11:34:01Z','root','set-status','claims','S001','status=approved','status=rejected; reason=test');
INSERT INTO audit VALUES(18,'2026-11-30T11:34:01Z','root','compute','payment_lines','2024/25',NULL,'2024/25 to 2025-03: 2 services, 13 claims, 6 payment lines (0 new, 2 changed, 1 removed; gross 720.00, payable 720.00, held 0.00), 9 findings (9 errors, 0 warnings)');
INSERT INTO audit VALUES(19,'2026-11-30T11:34:04Z','root','issue-statement','payment_runs','1/G81001',NULL,'statement of run 1 for G81001 issued as csv: 2 lines, paid 445.00');
INSERT INTO audit VALUES(20,'2026-11-30T11:34:04Z','root','issue-report','payment_runs','2024/25',NULL,'reconciliation report of 2024/25 issued as csv: 1 runs');
CREATE TABLE payment_runs (
  run_id        INTEGER PRIMARY KEY,         -- the run number finance quotes
  year          INTEGER NOT NULL,
  month         TEXT NOT NULL,               -- YYYY-MM closed by the run
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  total         INTEGER NOT NULL,            -- pence paid (adjustments included)
  n_lines       INTEGER NOT NULL,
  reopened_at   TEXT,                        -- set when re-opened: its lines are unpaid again
  reopened_by   TEXT,
  reopen_reason TEXT
);
INSERT INTO payment_runs VALUES(1,2024,'2024-06','2026-11-30T11:34:01Z','root',61000,4,NULL,NULL,NULL);
CREATE TABLE paid_lines (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES payment_runs (run_id),
  year          INTEGER NOT NULL,
  practice_code TEXT NOT NULL,
  service_code  TEXT NOT NULL,
  rule_code     TEXT NOT NULL,
  period        TEXT NOT NULL,               -- the period the line is for
  units         INTEGER,
  rate          INTEGER,                     -- hundredths of a penny; NULL when none
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,            -- what was paid
  held          INTEGER NOT NULL,
  held_reason   TEXT,                        -- finding codes, comma-separated
  corrects_id   INTEGER REFERENCES paid_lines (id)
);
INSERT INTO paid_lines VALUES(1,1,2024,'G81001','SCDM','MONITOR','2024-06',4,700000,28000,28000,0,NULL,NULL);
INSERT INTO paid_lines VALUES(2,1,2024,'G81001','SMI','CHECK','2024-04',3,550000,16500,16500,0,NULL,NULL);
INSERT INTO paid_lines VALUES(3,1,2024,'G81002','SMI','CHECK','2024-04',1,550000,5500,5500,0,NULL,NULL);
INSERT INTO paid_lines VALUES(4,1,2024,'G81003','SMI','CHECK','2024-05',2,550000,11000,11000,0,NULL,NULL);
CREATE TABLE adjustments (
  id            INTEGER PRIMARY KEY,
  year          INTEGER NOT NULL,
  corrects_id   INTEGER NOT NULL REFERENCES paid_lines (id),
  due_period    TEXT NOT NULL,
  units         INTEGER,
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,
  held          INTEGER NOT NULL,
  held_reason   TEXT,
  UNIQUE (corrects_id)
);
INSERT INTO adjustments VALUES(1,2024,2,'2024-07',-3,-16500,-16500,0,NULL);
INSERT INTO adjustments VALUES(2,2024,3,'2024-07',1,5500,5500,0,NULL);
CREATE TABLE service_totals (
  year         INTEGER NOT NULL,
  service_code TEXT NOT NULL,
  payable      INTEGER NOT NULL,
  held         INTEGER NOT NULL,
  n_lines      INTEGER NOT NULL,
  PRIMARY KEY (year, service_code)
);
INSERT INTO service_totals VALUES(2024,'SCDM',28000,0,1);
INSERT INTO service_totals VALUES(2024,'SMI',44000,0,5);
CREATE INDEX practices_by_pcn ON practices (pcn_code);
CREATE INDEX signups_by_service ON signups (service_code, year);
CREATE INDEX cohorts_by_service ON cohorts (service_code, year);
CREATE INDEX allocations_by_service ON allocations (service_code, year);
CREATE INDEX claims_by_service ON claims (year, service_code);
CREATE INDEX payment_lines_by_service ON payment_lines (year, service_code);
CREATE INDEX findings_by_year ON findings (year, code);
CREATE INDEX findings_by_claim ON findings (claim_ref);
CREATE INDEX payment_runs_by_year ON payment_runs (year, month);
CREATE INDEX paid_lines_by_run ON paid_lines (run_id, practice_code);
CREATE INDEX paid_lines_by_key ON paid_lines (year, practice_code, service_code, rule_code, period);
CREATE INDEX adjustments_by_year ON adjustments (year);
CREATE INDEX claims_by_year_ref ON claims (year, claim_ref);
CREATE INDEX claims_by_year_practice ON claims (year, practice_code);
CREATE INDEX claims_by_year_period ON claims (year, period);
CREATE INDEX claims_by_year_status ON claims (year, status);
CREATE INDEX claims_by_year_submitted ON claims (year, submitted_date);
CREATE INDEX claims_with_reason ON claims (status_reason) WHERE status_reason IS NOT NULL;
CREATE INDEX practices_by_name ON practices (practice_name);
COMMIT;
