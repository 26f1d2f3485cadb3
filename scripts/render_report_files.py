"""Pictures of the report files as the province opens them, for docs/screenshots: the demo's
database with a working day written (callcenter.demo, the lead's history), its daily report as
XLSX rendered by LibreOffice (headless → PDF → pdftoppm → PNG, first page: the queues' sheet
with its chart), and the same report's PNG charts.

    .venv/bin/python scripts/render_report_files.py   (needs libreoffice-calc and poppler-utils)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.demo import prepare_database  # noqa: E402
from callcenter.reports.catalogue import Request, headings, run  # noqa: E402
from callcenter.reports.charts import png_bytes  # noqa: E402
from callcenter.reports.export import xlsx_bytes  # noqa: E402
from db.engine import make_engine, make_sessionmaker  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        print("render: soffice or pdftoppm is missing (apt-get install libreoffice-calc-nogui "
              "poppler-utils)", file=sys.stderr)
        return 1
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        url = f"sqlite:///{work / 'demo.sqlite3'}"
        prepare_database(url, extra_staff=18, lead=True, history=True, patients=True)
        day = datetime.now(zone).date() - timedelta(days=7)  # last week's whole day
        request = Request(day, day, "hour", "topic")
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session:
            sheets = run(session, "daily", request, zone)
        engine.dispose()
        title, subtitle = headings("daily", request, zone)
        book = work / "bao-cao-ngay.xlsx"
        book.write_bytes(xlsx_bytes(sheets, title, subtitle))
        (OUT / "report_charts.png").write_bytes(png_bytes(sheets, title, subtitle))
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/lo",
                        "--convert-to", "pdf", "--outdir", str(work), str(book)],
                       check=True, capture_output=True, timeout=180)
        subprocess.run([pdftoppm, "-png", "-r", "110", "-f", "1", "-l", "1",
                        str(work / "bao-cao-ngay.pdf"), str(work / "page")],
                       check=True, timeout=60)
        page = next(work.glob("page*.png"))
        shutil.copy(page, OUT / "report_xlsx.png")
    print(f"wrote {OUT / 'report_xlsx.png'} and {OUT / 'report_charts.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
