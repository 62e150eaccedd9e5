#!/usr/bin/env python3
"""Bulk seeding for the load benchmarks (SQLite only; the server may be running, WAL allows it).

  seed.py DB enrolments SOURCE_ENROLMENT N [--with-evidence]
      N copies of SOURCE_ENROLMENT (same candidate, assessor and standard), optionally each with a
      copy of its evidence records. Prints the new ids, one a line, to stdout.

Every copy goes through the tables' triggers like any other write, so the copies' revisions are
bumped as usual and their stored evaluations are computed when first read.
"""
import sqlite3
import sys
import uuid


def columns(db, table):
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def copy_enrolments(path, source, n, with_evidence):
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA busy_timeout = 60000")
    e_cols = columns(db, "enrolments")
    v_cols = columns(db, "evidence")
    src = db.execute(f"SELECT {', '.join(e_cols)} FROM enrolments WHERE id = ?", (source,)).fetchone()
    if src is None:
        sys.exit(f"no enrolment {source}")
    evidence = db.execute(
        f"SELECT {', '.join(v_cols)} FROM evidence WHERE enrolment_id = ?", (source,)
    ).fetchall() if with_evidence else []
    ids = []
    e_sql = f"INSERT INTO enrolments ({', '.join(e_cols)}) VALUES ({', '.join('?' * len(e_cols))})"
    v_sql = f"INSERT INTO evidence ({', '.join(v_cols)}) VALUES ({', '.join('?' * len(v_cols))})"
    e_id, v_id, v_enr = e_cols.index("id"), v_cols.index("id"), v_cols.index("enrolment_id")
    batch = 5000
    for start in range(0, n, batch):
        with db:
            rows, records = [], []
            for _ in range(start, min(n, start + batch)):
                new = str(uuid.uuid4())
                ids.append(new)
                row = list(src)
                row[e_id] = new
                rows.append(row)
                for record in evidence:
                    r = list(record)
                    r[v_id] = str(uuid.uuid4())
                    r[v_enr] = new
                    records.append(r)
            db.executemany(e_sql, rows)
            db.executemany(v_sql, records)
    db.close()
    return ids


def main():
    if len(sys.argv) < 5 or sys.argv[2] != "enrolments":
        sys.exit(__doc__)
    ids = copy_enrolments(sys.argv[1], sys.argv[3], int(sys.argv[4]), "--with-evidence" in sys.argv)
    print("\n".join(ids))


if __name__ == "__main__":
    main()
