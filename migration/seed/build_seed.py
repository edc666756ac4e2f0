#!/usr/bin/env python3
"""Build the compact seed files in this folder from the shared public datasets.

Run once by a maintainer when the source data changes (the application never reads the
sources at run time):

    python3 migration/seed/build_seed.py ../shared/data

Outputs (gzip-compressed JSON, one value per file):
  procedures.json.gz  all national procedures (DVC portal scrape) + Ministry of Defence ones
  units.json.gz       34 provinces and 3,321 communes (2-level structure since 1 July 2025)
  holidays.json.gz    days off and make-up working days for the public sector, 2025-2026

Cleaning rules: tables the scraper flattened are split heuristically; where a split is unsure the
raw text is kept (field `*_raw`) instead of guessing. Nothing is invented: a value missing in the
source stays null.
"""
import collections
import datetime
import gzip
import json
import re
import sys
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
OUT = Path(__file__).resolve().parent
NO_INFO = {"", "Không có thông tin", "Không", "không có thông tin"}

CHANNELS = {"Trực tuyến": "online", "Dịch vụ bưu chính": "post", "Trực tiếp": "counter"}
UNITS = {"ngày làm việc": "working_day", "ngày": "day", "giờ": "hour", "tháng": "month"}


def clean(s):
    s = (s or "").replace("\u00a0", " ").strip()
    return None if s in NO_INFO else re.sub(r"[ \t]+", " ", s)


def parse_time(raw):
    raw = (raw or "").strip()
    m = re.match(r"^(\d+(?:[.,]\d+)?)\s*(.*)$", raw)
    if not m:
        return None, None
    unit = UNITS.get(m.group(2).strip().lower())
    val = float(m.group(1).replace(",", "."))
    return (val if unit else None), unit


FEE_RE = re.compile(r"^(Miễn phí|Không có thông tin|Phí\s*:\s*[\d.,]+\s*Đồng|Lệ phí\s*:\s*[\d.,]+\s*Đồng|[\d.,]+\s*(?:Việt Nam Đồng|USD|Đồng))(.*)$", re.S)


def parse_fee(raw):
    """Returns (label, amount_vnd or None, free flag or None, note)."""
    raw = (raw or "").strip()
    m = FEE_RE.match(raw)
    if not m:
        return None, None, None, clean(raw)
    label, rest = m.group(1).strip(), m.group(2).strip()
    note = clean(rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest)
    if label == "Miễn phí":
        return label, 0, True, note
    if label == "Không có thông tin":
        return None, None, None, note
    num = re.search(r"[\d.,]+", label).group(0)
    if "USD" in label:
        return label, None, False, note
    amount = int(re.sub(r"[.,]", "", num))
    return label, amount, amount == 0, note


def split_steps(text):
    text = clean(text)
    if not text:
        return []
    parts = re.split(r"\n+|(?=Bước \d+\s*[:.])", text)
    return [p.strip(" -\t") for p in parts if p and p.strip(" -\t")]


LAW_CODE = r"\d+[\d.]*/\d{4}/[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*?"
UPPER = "A-ZĐÁÀẢÃẠÂẤẦẨẪẬĂẮẰẲẴẶÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ"
LAW_RE = re.compile(r"(.+?)(" + LAW_CODE + r")(?=[" + UPPER + r"](?![" + UPPER + r"])[^\W\d_]|$)", re.S)


def parse_legal(raw):
    raw = clean(raw)
    if not raw:
        return []
    body = raw.replace("Tên văn bản pháp lýMã văn bản", "", 1).strip()
    items, pos = [], 0
    for m in LAW_RE.finditer(body):
        items.append({"title": m.group(1).strip(), "code": m.group(2)})
        pos = m.end()
    leftover = body[pos:].strip()
    if not items or len(leftover) > 40:
        # Parsing unsure: keep the whole raw text as one entry rather than guess boundaries.
        return [{"title": body, "code": None}]
    return items


def levels(text):
    t = (text or "").lower()
    out = [k for k, w in (("ministry", "cấp bộ"), ("province", "cấp tỉnh"), ("commune", "cấp xã"), ("other", "cơ quan khác")) if w in t]
    return out


def audience_flags(text):
    t = text or ""
    citizen = bool(re.search(r"Công dân|Người|Cá nhân|Cán bộ|hộ gia đình", t, re.I))
    org = bool(re.search(r"Doanh nghiệp|Tổ chức|Hợp tác xã|Cơ quan|Đơn vị", t, re.I))
    return citizen, org


def service_level(name, channels):
    # P-2.1. The scrape does not carry the portal's isFullProcess flag, so the level is only set
    # where the evidence is explicit: the procedure name says so, or no online channel exists.
    n = name.lower()
    if "toàn trình" in n:
        return "full"
    if "một phần" in n:
        return "partial"
    if not any(c["channel"] == "online" for c in channels):
        return "offline"
    return None


def strip_doc_headers(name):
    for h in ("Tên giấy tờMẫu đơn, tờ khaiSố lượng", "Tên giấy tờ", "Mẫu đơn, tờ khai"):
        name = name.replace(h, " ")
    return re.sub(r"\s+", " ", name).strip(" /")


def from_dvc(r):
    d = r["_derived"]
    chans = []
    for c in d.get("cach_thuc_parsed") or []:
        val, unit = parse_time(c.get("thoi_han"))
        label, amount, free, note = parse_fee(c.get("phi_va_mo_ta_raw"))
        chans.append({
            "channel": CHANNELS.get(c.get("hinh_thuc"), c.get("hinh_thuc")),
            "time_raw": clean(c.get("thoi_han")), "time_value": val, "time_unit": unit,
            "fee_label": label, "fee_vnd": amount, "fee_free": free, "note": note,
        })
    docs = []
    for x in d.get("thanh_phan_ho_so_parsed") or []:
        name = strip_doc_headers(x.get("ten_giay_to") or "")
        if name:
            docs.append({"name": name, "quantity": clean(x.get("so_luong"))})
    return {
        "code": r["ma_thu_tuc"], "name": r["ten_thu_tuc"].strip(), "ministry": r["_bo_nganh_cong_bo"],
        "decision": clean(r.get("so_quyet_dinh")), "levels": levels(r.get("cap_thuc_hien")),
        "level_raw": clean(r.get("cap_thuc_hien")), "kind": clean(r.get("loai_thu_tuc")),
        "field": clean(r.get("linh_vuc")) or "Khác", "audience": clean(r.get("doi_tuong_thuc_hien")),
        "implementing_agency": clean(r.get("co_quan_thuc_hien")),
        "competent_agency": clean(r.get("co_quan_co_tham_quyen")),
        "delegated_agency": clean(r.get("co_quan_duoc_uy_quyen")),
        "coordinating_agency": clean(r.get("co_quan_phoi_hop")),
        "address": clean(r.get("dia_chi_tiep_nhan")),
        "steps": split_steps(r.get("trinh_tu_thuc_hien")), "channels": chans, "documents": docs,
        "legal_basis": parse_legal(r.get("can_cu_phap_ly")),
        "conditions": clean(r.get("yeu_cau_dieu_kien")),
        "result": {"name": clean(d.get("ket_qua_ten")), "code": clean(d.get("ket_qua_ma"))},
        "related": clean(r.get("thu_tuc_lien_quan")), "source_url": r.get("detail_url"),
    }


def from_bqp(r):
    md, ct, tb = r["metadata"], r["content"], r["tables"]
    chans = []
    for c in tb.get("hinh_thuc_nop") or []:
        val, unit = parse_time(c.get("thoi_han_giai_quyet"))
        label, amount, free, note = parse_fee(c.get("phi_le_phi"))
        desc = clean(c.get("mo_ta"))
        chans.append({
            "channel": CHANNELS.get(c.get("hinh_thuc"), c.get("hinh_thuc")),
            "time_raw": clean(c.get("thoi_han_giai_quyet")), "time_value": val, "time_unit": unit,
            "fee_label": label, "fee_vnd": amount, "fee_free": free,
            "note": "; ".join(x for x in (note, desc) if x) or None,
        })
    docs = []
    for x in tb.get("thanh_phan_ho_so") or []:
        q = clean((x.get("ghi_chu") or "").replace("\n", ", "))
        form = clean(x.get("so_luong"))
        docs.append({"name": clean(x.get("ten_giay_to")) or "", "quantity": q, "form": form if form and "." in form else None})
    legal = [{"title": clean(x.get("trich_yeu")) or "", "code": clean(x.get("so_ky_hieu")), "date": clean(x.get("ngay_ban_hanh")), "issuer": clean(x.get("co_quan_ban_hanh"))} for x in tb.get("can_cu_phap_ly") or []]
    return {
        "code": md["mã_thủ_tục"], "name": md["tên_thủ_tục"].strip(), "ministry": "Bộ Quốc phòng",
        "decision": clean(md.get("số_quyết_định")), "levels": levels(md.get("cấp_thực_hiện")),
        "level_raw": clean(md.get("cấp_thực_hiện")), "kind": clean(md.get("loại_thủ_tục")),
        "field": clean(md.get("lĩnh_vực")) or "Khác", "audience": clean(ct.get("đối_tượng_thực_hiện")),
        "implementing_agency": clean(ct.get("cơ_quan_thực_hiện")),
        "competent_agency": clean(ct.get("cơ_quan_có_thẩm_quyền")),
        "delegated_agency": clean(ct.get("cơ_quan_được_ủy_quyền")),
        "coordinating_agency": clean(ct.get("cơ_quan_phối_hợp")),
        "address": clean(ct.get("địa_chỉ_tiếp_nhận_hs")),
        "steps": split_steps(ct.get("trình_tự_thực_hiện")), "channels": chans, "documents": docs,
        "legal_basis": legal, "conditions": clean(ct.get("yêu_cầu_điều_kiện_thực_hiện")),
        "result": {"name": clean(ct.get("kết_quả_thực_hiện")), "code": None},
        "related": None, "source_url": None,
    }


def main():
    text = (SRC / "tthc_dichvucong_2642_raw_consolidated.json").read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        raw = [json.loads(l.rstrip(",")) for l in text.splitlines() if l.strip() not in ("[", "]")]
    procs = [from_dvc(r) for r in raw]
    seen = {p["code"] for p in procs}
    for r in json.loads((SRC / "bqp_tthc_extracted_fixed_207.json").read_text(encoding="utf-8")):
        p = from_bqp(r)
        if p["code"] not in seen:
            seen.add(p["code"])
            procs.append(p)
    for p in procs:
        c, o = audience_flags(p["audience"])
        p["for_citizen"], p["for_organisation"] = c, o
        p["service_level"] = service_level(p["name"], p["channels"])
    # Agency codes (QCVN 102:2016 "Gxx" ministry codes) as the portal's own result codes use them:
    # the most frequent KQ.Gxx prefix per publishing ministry. No code is invented where none shows.
    counts = collections.defaultdict(collections.Counter)
    for r in raw:
        m = re.match(r"KQ\.(G\d+)", r["_derived"].get("ket_qua_ma") or "")
        if m:
            counts[r["_bo_nganh_cong_bo"]][m.group(1)] += 1
    ministries = sorted({p["ministry"] for p in procs})
    agencies = [{"name": m, "code": ("000.00.00." + counts[m].most_common(1)[0][0]) if counts[m] and counts[m].most_common(1)[0][1] >= 3 else None} for m in ministries]
    write("procedures.json.gz", {"agencies": agencies, "procedures": procs})

    units = json.loads((SRC / "full_json_generated_data_vn_units_2026-07-25__20_49_07.json").read_text(encoding="utf-8"))
    out = []
    for pv in units:
        out.append({"code": pv["Code"], "name": pv["Name"], "full_name": pv["FullName"], "name_en": pv.get("NameEn"), "kind": pv["AdministrativeUnitShortName"], "parent": None})
        for w in pv["Wards"]:
            out.append({"code": w["Code"], "name": w["Name"], "full_name": w["FullName"], "name_en": w.get("NameEn"), "kind": w["AdministrativeUnitShortName"], "parent": pv["Code"]})
    write("units.json.gz", out)

    import csv
    days = []
    with open(SRC / "vn_public_holidays_2025_2026.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            st = row["status"].lower()
            if st.startswith("pending"):
                continue  # not law yet: never a day off
            if row["public_sector_off_from"]:
                a = datetime.date.fromisoformat(row["public_sector_off_from"])
                b = datetime.date.fromisoformat(row["public_sector_off_to"])
                while a <= b:
                    if a.weekday() < 5:
                        days.append({"date": a.isoformat(), "kind": "off", "name": row["occasion"], "status": row["status"]})
                    a += datetime.timedelta(days=1)
            if row["make_up_workday"]:
                dte = row["make_up_workday"].split()[0]
                days.append({"date": dte, "kind": "makeup", "name": row["occasion"], "status": row["status"]})
    write("holidays.json.gz", days)
    print(len(procs), "procedures,", len(out), "units,", len(days), "holiday rows")


def write(name, value):
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with gzip.GzipFile(OUT / name, "wb", compresslevel=9, mtime=0) as f:
        f.write(data)
    print(name, len(data), "bytes raw,", (OUT / name).stat().st_size, "gz")


if __name__ == "__main__":
    main()
