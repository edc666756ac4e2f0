"""Writes forms.json: e-form schemas (P-3.3) for common procedures, following each procedure's
declaration form (tờ khai) and document list in the national catalogue. Run:
    python3 migration/seed/build_forms.py
Field types and rules are documented in app/src/domain/eform.rs."""
import json, os

def L(vi, en=""):
    d = {"vi": vi}
    if en:
        d["en"] = en
    return d

def f(id, vi, en, kind="text", req=True, **kw):
    assert isinstance(kind, str), id
    d = {"id": id, "label": L(vi, en), "kind": kind, "required": req}
    for k, v in kw.items():
        if k == "hint":
            d["hint"] = L(*v) if isinstance(v, tuple) else L(v)
        elif k == "options":
            d["options"] = [{"value": o[0], "label": L(o[1], o[2] if len(o) > 2 else "")} for o in v]
        elif k == "when":
            d["visible_if"] = {"field": v[0], "any_of": v[1]}
        else:
            d[k] = v
    return d

def sec(id, vi, en, fields):
    return {"id": id, "title": L(vi, en), "fields": fields}

def doc(id, vi, en="", req=False, max_files=5, hint=None):
    d = {"id": id, "name": L(vi, en), "required": req, "max_files": max_files}
    if hint:
        d["hint"] = L(*hint)
    return d

GENDER = [("nam", "Nam", "Male"), ("nu", "Nữ", "Female")]
NATIONALITY = [("vn", "Việt Nam", "Vietnamese"), ("khac", "Quốc tịch khác", "Other")]
DECLARE = f("declaration", "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình",
            "I declare that the above is true and I am responsible before the law", "checkbox")

def requester(relation_options=None):
    fields = [
        f("requester_name", "Họ, chữ đệm, tên người yêu cầu", "Requester's full name", prefill="full_name", max_len=100),
        f("requester_id", "Số định danh cá nhân người yêu cầu", "Requester's personal ID number", "citizen_id", prefill="citizen_id"),
        f("requester_phone", "Số điện thoại liên hệ", "Contact phone", "phone", prefill="phone"),
        f("requester_email", "Email", "Email", "email", False, prefill="email"),
        f("requester_address", "Nơi cư trú", "Place of residence", "address"),
    ]
    if relation_options:
        fields.append(f("relation", "Quan hệ với người được đăng ký", "Relationship", "radio", options=relation_options))
    return fields

def person(prefix, vi_who, en_who, required=True, with_id=True):
    fs = [
        f(f"{prefix}_name", f"Họ, chữ đệm, tên {vi_who}", f"{en_who}: full name", req=required, max_len=100),
        f(f"{prefix}_birth", f"Ngày, tháng, năm sinh {vi_who}", f"{en_who}: date of birth", "date", required, max_date="today", min_date="1900-01-01"),
        f(f"{prefix}_ethnicity", f"Dân tộc {vi_who}", f"{en_who}: ethnicity", req=required, max_len=40),
        f(f"{prefix}_nationality", f"Quốc tịch {vi_who}", f"{en_who}: nationality", "select", required, options=NATIONALITY),
    ]
    if with_id:
        fs.append(f(f"{prefix}_id", f"Số định danh cá nhân {vi_who}", f"{en_who}: personal ID number", "citizen_id", required))
    return fs

forms = {}

forms["1.001193"] = {"version": 1, "sections": [
    sec("requester", "Người yêu cầu", "Requester", requester([
        ("cha", "Cha", "Father"), ("me", "Mẹ", "Mother"), ("ong_ba", "Ông, bà", "Grandparent"),
        ("khac", "Người khác được ủy quyền", "Someone authorised")])),
    sec("child", "Thông tin người được khai sinh", "The child", [
        f("child_name", "Họ, chữ đệm, tên", "Full name", max_len=100),
        f("child_gender", "Giới tính", "Sex", "radio", options=GENDER),
        f("child_birth", "Ngày, tháng, năm sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
        f("child_birthplace", "Nơi sinh", "Place of birth", hint=("Tên cơ sở y tế, hoặc xã/phường, tỉnh/thành phố nơi sinh", "Hospital, or commune and province of birth"), max_len=200),
        f("child_hometown", "Quê quán", "Home town", max_len=200),
        f("child_ethnicity", "Dân tộc", "Ethnicity", max_len=40),
        f("child_nationality", "Quốc tịch", "Nationality", "select", options=NATIONALITY),
    ]),
    sec("mother", "Thông tin người mẹ", "Mother", person("mother", "người mẹ", "Mother")),
    sec("father", "Thông tin người cha", "Father", [
        f("father_known", "Có thông tin người cha không?", "Is the father known?", "radio", options=[("co", "Có", "Yes"), ("khong", "Không", "No")]),
        *[dict(x, visible_if={"field": "father_known", "any_of": ["co"]}) for x in person("father", "người cha", "Father")],
    ]),
    sec("copies", "Bản sao và cam đoan", "Copies and declaration", [
        f("copies", "Số bản sao trích lục đề nghị cấp", "Number of certified extracts requested", "number", False, min=0, max=10),
        DECLARE,
    ]),
], "rules": [
    {"rule": "date_order", "first": "mother_birth", "second": "child_birth",
     "message": L("Ngày sinh của trẻ phải sau ngày sinh của người mẹ.", "The child's date of birth must be after the mother's.")},
], "documents": [
    doc("birth_certificate", "Giấy chứng sinh (hoặc văn bản của người làm chứng xác nhận về việc sinh)", "Birth notice (or a witness's statement of the birth)", True, 2),
    doc("authorisation", "Văn bản ủy quyền được chứng thực (khi ủy quyền đăng ký khai sinh)", "Certified authorisation (when someone else registers)"),
    doc("surrogacy", "Văn bản xác nhận của cơ sở y tế (trường hợp mang thai hộ)", "Medical facility's confirmation (surrogacy)"),
]}

forms["1.004222"] = {"version": 1, "sections": [
    sec("applicant", "Người đề nghị đăng ký (Tờ khai CT01)", "Applicant (form CT01)", [
        f("applicant_name", "Họ, chữ đệm và tên", "Full name", prefill="full_name", max_len=100),
        f("applicant_birth", "Ngày, tháng, năm sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
        f("applicant_gender", "Giới tính", "Sex", "radio", options=GENDER),
        f("applicant_id", "Số định danh cá nhân", "Personal ID number", "citizen_id", prefill="citizen_id"),
        f("applicant_phone", "Số điện thoại liên hệ", "Contact phone", "phone", prefill="phone"),
        f("applicant_email", "Email", "Email", "email", False, prefill="email"),
    ]),
    sec("residence", "Nơi đăng ký thường trú", "New permanent residence", [
        f("new_address", "Địa chỉ nơi đăng ký thường trú", "Address of the new permanent residence", "address"),
        f("basis", "Căn cứ đăng ký", "Basis for registration", "select", options=[
            ("so_huu", "Chỗ ở hợp pháp thuộc quyền sở hữu của mình", "A home I own"),
            ("nguoi_than", "Về ở với vợ/chồng, cha/mẹ, con, người thân", "Moving in with spouse, parent, child or relative"),
            ("thue_muon", "Chỗ ở thuê, mượn, ở nhờ", "A rented or borrowed home"),
            ("co_so_ton_giao", "Cơ sở tín ngưỡng, tôn giáo", "A religious establishment"),
            ("tro_giup_xa_hoi", "Cơ sở trợ giúp xã hội", "A social support facility")]),
        f("head_name", "Họ và tên chủ hộ", "Name of the head of household", "text", False, when=("basis", ["nguoi_than", "thue_muon"]), max_len=100),
        f("head_id", "Số định danh cá nhân của chủ hộ", "Personal ID of the head of household", "citizen_id", False, when=("basis", ["nguoi_than", "thue_muon"])),
        f("head_relation", "Quan hệ với chủ hộ", "Relationship to the head of household", "text", False, when=("basis", ["nguoi_than", "thue_muon"]), max_len=40),
        f("rented_area", "Diện tích nhà ở bình quân (m²/người)", "Floor area per person (m²)", "number", False, min=0, max=10000, when=("basis", ["thue_muon"]),
          hint=("Chỗ ở thuê phải bảo đảm diện tích tối thiểu theo quy định của HĐND tỉnh.", "A rented home must meet the province's minimum area per person.")),
    ]),
    sec("members", "Thành viên cùng đăng ký", "Family members registering with you", [
        f("members", "Người cùng thay đổi nơi thường trú", "People moving with you", "group", False, max_rows=15, columns=[
            f("name", "Họ và tên", "Full name", max_len=100),
            f("birth", "Ngày sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
            f("id", "Số định danh cá nhân", "Personal ID number", "citizen_id", False),
            f("relation", "Quan hệ với người đề nghị", "Relationship to you", max_len=40),
        ]),
        DECLARE,
    ]),
], "documents": [
    doc("legal_home", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "Proof of lawful accommodation", True),
    doc("consent", "Văn bản đồng ý của chủ hộ, chủ sở hữu chỗ ở (nếu không thuộc sở hữu của mình)", "Written consent of the owner or head of household (if not your home)"),
    doc("relation_proof", "Giấy tờ chứng minh quan hệ nhân thân (khi về ở với người thân)", "Proof of family relationship (when moving in with relatives)"),
]}

forms["1.000894"] = {"version": 1, "sections": [
    sec("bride", "Thông tin bên nữ", "Bride", person("bride", "bên nữ", "Bride") + [
        f("bride_address", "Nơi cư trú bên nữ", "Bride's residence", "address"),
        f("bride_marriages", "Kết hôn lần thứ mấy (bên nữ)", "Bride's marriage number", "number", min=1, max=10)]),
    sec("groom", "Thông tin bên nam", "Groom", person("groom", "bên nam", "Groom") + [
        f("groom_address", "Nơi cư trú bên nam", "Groom's residence", "address"),
        f("groom_marriages", "Kết hôn lần thứ mấy (bên nam)", "Groom's marriage number", "number", min=1, max=10)]),
    sec("declaration", "Cam đoan", "Declaration", [
        f("voluntary", "Chúng tôi cam đoan việc kết hôn là tự nguyện, đáp ứng đủ điều kiện kết hôn và không vi phạm quy định của Luật Hôn nhân và gia đình",
          "We declare that the marriage is voluntary, meets the conditions for marriage and breaks no rule of the Law on Marriage and Family", "checkbox"),
        f("copies", "Số bản sao trích lục đề nghị cấp", "Number of certified extracts requested", "number", False, min=0, max=10),
        DECLARE]),
], "documents": [
    doc("marital_status", "Giấy xác nhận tình trạng hôn nhân (khi không khai thác được trên cơ sở dữ liệu)", "Certificate of marital status (when it cannot be retrieved from the database)"),
    doc("divorce", "Bản án, quyết định ly hôn đã có hiệu lực (nếu đã từng kết hôn)", "Final divorce judgment (if previously married)"),
]}

forms["1.000656"] = {"version": 1, "sections": [
    sec("requester", "Người đi đăng ký khai tử", "Requester", requester([
        ("vo_chong", "Vợ, chồng", "Spouse"), ("con", "Con", "Child"), ("cha_me", "Cha, mẹ", "Parent"),
        ("nguoi_than", "Người thân thích khác", "Other relative"), ("khac", "Người được ủy quyền", "Someone authorised")])),
    sec("deceased", "Thông tin người đã chết", "The deceased", [
        f("deceased_name", "Họ, chữ đệm, tên", "Full name", max_len=100),
        f("deceased_gender", "Giới tính", "Sex", "radio", options=GENDER),
        f("deceased_birth", "Ngày, tháng, năm sinh", "Date of birth", "date", max_date="today", min_date="1880-01-01"),
        f("deceased_id", "Số định danh cá nhân", "Personal ID number", "citizen_id", False),
        f("deceased_residence", "Nơi cư trú cuối cùng", "Last place of residence", "address"),
        f("death_date", "Ngày, tháng, năm chết", "Date of death", "date", max_date="today", min_date="1900-01-01"),
        f("death_place", "Nơi chết", "Place of death", max_len=200),
        f("death_cause", "Nguyên nhân chết", "Cause of death", max_len=200),
        f("copies", "Số bản sao trích lục đề nghị cấp", "Number of certified extracts requested", "number", False, min=0, max=10),
        DECLARE]),
], "rules": [
    {"rule": "date_order", "first": "deceased_birth", "second": "death_date",
     "message": L("Ngày chết phải sau ngày sinh.", "The date of death must be after the date of birth.")},
], "documents": [
    doc("death_notice", "Giấy báo tử hoặc giấy tờ thay Giấy báo tử do cơ quan có thẩm quyền cấp", "Death notice or an equivalent official document", True, 2),
    doc("authorisation", "Văn bản ủy quyền được chứng thực (khi ủy quyền)", "Certified authorisation (when someone else registers)"),
]}

forms["3.000333"] = {"version": 1, "sections": [
    sec("person", "Người được cấp Phiếu (Mẫu số 03/2025/LLTP)", "Person the record is for (form 03/2025/LLTP)", [
        f("full_name", "Họ và tên", "Full name", prefill="full_name", max_len=100),
        f("other_names", "Tên gọi khác (nếu có)", "Other names (if any)", req=False, max_len=100),
        f("gender", "Giới tính", "Sex", "radio", options=GENDER),
        f("birth", "Ngày, tháng, năm sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
        f("birthplace", "Nơi sinh", "Place of birth", max_len=200),
        f("nationality", "Quốc tịch", "Nationality", "select", options=NATIONALITY),
        f("citizen_id", "Số định danh cá nhân", "Personal ID number", "citizen_id", prefill="citizen_id"),
        f("residence", "Nơi cư trú", "Residence", "address"),
        f("phone", "Số điện thoại", "Phone", "phone", prefill="phone"),
        f("email", "Email", "Email", "email", False, prefill="email"),
        f("father_name", "Họ và tên cha", "Father's full name", max_len=100),
        f("mother_name", "Họ và tên mẹ", "Mother's full name", max_len=100),
        f("spouse_name", "Họ và tên vợ/chồng (nếu có)", "Spouse's full name (if any)", req=False, max_len=100),
    ]),
    sec("request", "Nội dung yêu cầu", "Request", [
        f("card", "Loại Phiếu yêu cầu cấp", "Which record", "radio", options=[
            ("1", "Phiếu Lý lịch tư pháp số 1", "Criminal record certificate no. 1"),
            ("2", "Phiếu Lý lịch tư pháp số 2", "Criminal record certificate no. 2")]),
        f("purpose", "Mục đích sử dụng Phiếu", "Purpose", max_len=200),
        f("copies", "Số lượng Phiếu yêu cầu cấp", "Number of copies", "number", min=1, max=10),
        f("fee_exempt", "Thuộc đối tượng miễn, giảm phí", "Entitled to a fee exemption or reduction", "checkbox", False),
        DECLARE]),
], "documents": [
    doc("id_copy", "Bản sao Thẻ Căn cước / Căn cước công dân / Hộ chiếu của người được cấp Phiếu", "Copy of the ID card or passport of the person concerned", True, 2),
    doc("exemption", "Giấy tờ chứng minh thuộc đối tượng miễn, giảm phí (nếu có)", "Proof of fee exemption (if any)"),
    doc("authorisation", "Văn bản ủy quyền (khi ủy quyền yêu cầu cấp Phiếu số 1)", "Authorisation (when someone else applies for record no. 1)"),
]}

forms["1.001612"] = {"version": 1, "sections": [
    sec("business", "Thông tin hộ kinh doanh", "The household business", [
        f("business_name", "Tên hộ kinh doanh", "Business name", min_len=3, max_len=200,
          hint=("Gồm cụm từ \"Hộ kinh doanh\" và tên riêng, không trùng tên hộ kinh doanh khác trong xã.", "\"Hộ kinh doanh\" followed by a proper name, unique in the commune.")),
        f("business_address", "Địa điểm kinh doanh", "Business location", "address"),
        f("business_phone", "Điện thoại", "Phone", "phone", prefill="phone"),
        f("business_email", "Email", "Email", "email", False, prefill="email"),
        f("lines", "Ngành, nghề kinh doanh", "Lines of business", "group", max_rows=20, columns=[
            f("code", "Mã ngành (cấp 4)", "Industry code (level 4)", pattern="9999"),
            f("name", "Tên ngành", "Industry", max_len=200)]),
        f("capital", "Vốn kinh doanh (đồng)", "Capital (VND)", "money", min=1),
        f("employees", "Số lượng lao động", "Number of workers", "number", False, min=0, max=10000),
    ]),
    sec("owner", "Chủ hộ kinh doanh", "Owner", [
        f("owner_name", "Họ và tên", "Full name", prefill="full_name", max_len=100),
        f("owner_birth", "Ngày sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
        f("owner_id", "Số định danh cá nhân", "Personal ID number", "citizen_id", prefill="citizen_id"),
        f("owner_address", "Nơi cư trú", "Residence", "address"),
        f("owner_tax", "Mã số thuế cá nhân (nếu có)", "Personal tax code (if any)", "tax_code", False),
        DECLARE]),
], "documents": [
    doc("family_consent", "Bản sao văn bản ủy quyền của thành viên hộ gia đình cho một thành viên làm chủ hộ kinh doanh (nếu có)", "Household members' authorisation of the owner (if any)"),
    doc("authorisation", "Văn bản ủy quyền cho cá nhân, tổ chức thực hiện thủ tục (nếu có)", "Authorisation of a person or firm to file (if any)"),
]}

forms["1.001456"] = {"version": 1, "sections": [
    sec("person", "Người đề nghị cấp hộ chiếu (Mẫu TK01)", "Applicant (form TK01)", [
        f("full_name", "Họ, chữ đệm và tên", "Full name", prefill="full_name", max_len=100),
        f("gender", "Giới tính", "Sex", "radio", options=GENDER),
        f("birth", "Ngày, tháng, năm sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
        f("birthplace", "Nơi sinh (tỉnh, thành phố)", "Place of birth (province)", max_len=100),
        f("citizen_id", "Số định danh cá nhân", "Personal ID number", "citizen_id", prefill="citizen_id"),
        f("ethnicity", "Dân tộc", "Ethnicity", max_len=40),
        f("religion", "Tôn giáo", "Religion", max_len=40),
        f("phone", "Số điện thoại", "Phone", "phone", prefill="phone"),
        f("email", "Email", "Email", "email", False, prefill="email"),
        f("occupation", "Nghề nghiệp", "Occupation", "text", False, max_len=100),
        f("residence", "Địa chỉ thường trú", "Permanent address", "address"),
        f("father_name", "Họ và tên cha", "Father's name", "text", False, max_len=100),
        f("mother_name", "Họ và tên mẹ", "Mother's name", "text", False, max_len=100),
    ]),
    sec("request", "Nội dung đề nghị", "Request", [
        f("kind", "Đề nghị", "Request", "radio", options=[
            ("first", "Cấp hộ chiếu lần đầu", "First passport"),
            ("renew", "Cấp lại hộ chiếu (hết hạn, hỏng, thay đổi thông tin)", "Replacement (expired, damaged, changed details)"),
            ("lost", "Cấp lại do bị mất", "Replacement of a lost passport")]),
        f("old_passport", "Số hộ chiếu đã được cấp gần nhất", "Number of the last passport", pattern="A9999999",
          hint=("Một chữ cái và 7 chữ số, ví dụ C1234567", "One letter and 7 digits, e.g. C1234567"), when=("kind", ["renew", "lost"])),
        f("old_issued", "Ngày cấp hộ chiếu gần nhất", "Issue date of the last passport", "date", False, max_date="today", min_date="1950-01-01", when=("kind", ["renew", "lost"])),
        f("express", "Đề nghị cấp nhanh (có lý do chính đáng)", "Express processing (with a good reason)", "checkbox", False),
        DECLARE]),
], "documents": [
    doc("photo", "Ảnh chân dung mới chụp không quá 06 tháng, cỡ 4cm x 6cm, nền trắng", "Portrait photo taken within 6 months, 4 x 6 cm, white background", True, 1),
    doc("old_passport_copy", "Hộ chiếu đã được cấp lần gần nhất (nếu có)", "The last passport issued (if any)"),
    doc("guardian", "Giấy tờ chứng minh người đại diện hợp pháp (với người chưa đủ 14 tuổi hoặc mất năng lực hành vi)", "Proof of legal guardianship (under 14 or without legal capacity)"),
]}

forms["3.000348"] = {"version": 1, "sections": [
    sec("person", "Người đề nghị", "Applicant", [
        f("full_name", "Họ, chữ đệm và tên", "Full name", prefill="full_name", max_len=100),
        f("birth", "Ngày, tháng, năm sinh", "Date of birth", "date", max_date="today", min_date="1900-01-01"),
        f("citizen_id", "Số định danh cá nhân", "Personal ID number", "citizen_id", prefill="citizen_id"),
        f("phone", "Số điện thoại", "Phone", "phone", prefill="phone"),
        f("residence", "Nơi cư trú", "Residence", "address"),
    ]),
    sec("licence", "Giấy phép lái xe đề nghị cấp lại", "Licence to replace", [
        f("licence_no", "Số giấy phép lái xe", "Licence number", pattern="999999999999",
          hint=("12 chữ số in trên giấy phép lái xe", "The 12 digits printed on the licence")),
        f("class", "Hạng", "Class", "select", options=[(c, c) for c in ["A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE"]]),
        f("issued", "Ngày cấp", "Issued on", "date", max_date="today", min_date="1970-01-01"),
        f("reason", "Lý do cấp lại", "Reason", "radio", options=[
            ("lost", "Bị mất", "Lost"), ("expired", "Quá hạn sử dụng", "Expired"), ("damaged", "Bị hỏng", "Damaged")]),
        DECLARE]),
], "documents": [
    doc("health", "Giấy khám sức khỏe của người lái xe còn hiệu lực", "Valid driver's health certificate", True, 2),
    doc("licence_copy", "Bản sao giấy phép lái xe hoặc quyết định xử phạt có ghi số giấy phép (nếu có)", "Copy of the licence or of a fine notice showing its number (if any)"),
]}

forms["1.012753"] = {"version": 1, "sections": [
    sec("applicant", "Người sử dụng đất (Mẫu số 04/ĐK)", "Land user (form 04/ĐK)", requester()),
    sec("parcel", "Thửa đất đăng ký", "The land parcel", [
        f("parcel_no", "Thửa đất số", "Parcel number", "number", min=1, max=999999),
        f("map_sheet", "Tờ bản đồ số", "Map sheet number", "number", min=1, max=99999),
        f("parcel_address", "Địa chỉ thửa đất", "Parcel address", "address"),
        f("area", "Diện tích (m²)", "Area (m²)", "number", min=0.1, max=10000000),
        f("use", "Mục đích sử dụng", "Land use", "select", options=[
            ("ODT", "Đất ở tại đô thị", "Urban residential land"), ("ONT", "Đất ở tại nông thôn", "Rural residential land"),
            ("LUC", "Đất chuyên trồng lúa", "Paddy land"), ("CLN", "Đất trồng cây lâu năm", "Perennial crop land"),
            ("RSX", "Đất rừng sản xuất", "Production forest"), ("NTS", "Đất nuôi trồng thủy sản", "Aquaculture land")]),
        f("origin", "Nguồn gốc sử dụng đất", "How the land was acquired", "long_text", max_len=1000),
        f("since", "Thời điểm bắt đầu sử dụng đất", "In use since", "date", max_date="today", min_date="1900-01-01"),
        f("has_house", "Có tài sản gắn liền với đất (nhà ở, công trình)?", "Buildings on the land?", "radio", options=[("co", "Có", "Yes"), ("khong", "Không", "No")]),
        f("house_area", "Diện tích xây dựng nhà ở (m²)", "Building footprint (m²)", "number", min=1, max=100000, when=("has_house", ["co"])),
        f("floors", "Số tầng", "Floors", "number", min=1, max=100, when=("has_house", ["co"])),
        DECLARE]),
], "documents": [
    doc("land_papers", "Giấy tờ về quyền sử dụng đất (nếu có)", "Papers on the land-use right (if any)"),
    doc("house_papers", "Giấy tờ về quyền sở hữu nhà ở, công trình (nếu đăng ký tài sản)", "Papers on the house or building (if registering them)"),
    doc("obligations", "Chứng từ thực hiện nghĩa vụ tài chính; giấy tờ miễn, giảm (nếu có)", "Receipts of land charges paid; exemptions (if any)"),
]}

forms["1.013225"] = {"version": 1, "sections": [
    sec("owner", "Chủ đầu tư", "Owner", requester()),
    sec("works", "Công trình đề nghị cấp phép", "The works", [
        f("works_name", "Tên công trình", "Name of the works", max_len=200),
        f("works_address", "Địa điểm xây dựng", "Site address", "address"),
        f("parcel_no", "Lô đất / thửa đất số", "Parcel number", "number", min=1, max=999999),
        f("map_sheet", "Tờ bản đồ số", "Map sheet number", "number", min=1, max=99999),
        f("grade", "Cấp công trình", "Works grade", "select", options=[("III", "Cấp III", "Grade III"), ("IV", "Cấp IV", "Grade IV")]),
        f("footprint", "Diện tích xây dựng tầng 1 (m²)", "Ground-floor area (m²)", "number", min=1, max=100000),
        f("total_floor_area", "Tổng diện tích sàn (m²)", "Total floor area (m²)", "number", min=1, max=1000000),
        f("height", "Chiều cao công trình (m)", "Height (m)", "number", min=1, max=200),
        f("floors", "Số tầng", "Floors", "number", min=1, max=60),
        f("designer", "Đơn vị hoặc người thiết kế", "Designer", max_len=200),
        f("start", "Dự kiến khởi công", "Planned start", "date", min_date="today"),
        f("months", "Thời gian hoàn thành dự kiến (tháng)", "Planned duration (months)", "number", min=1, max=120),
        DECLARE]),
], "documents": [
    doc("land_right", "Bản sao giấy tờ chứng minh quyền sử dụng đất", "Copy of the land-use right certificate", True, 3),
    doc("drawings", "Bản vẽ thiết kế (mặt bằng, mặt cắt, mặt đứng, móng, đấu nối hạ tầng)", "Design drawings (plans, sections, elevations, foundations, connections)", True, 10),
    doc("neighbours", "Cam kết bảo đảm an toàn công trình liền kề (khi có công trình liền kề)", "Undertaking on the safety of adjoining buildings (if any)"),
]}

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "forms.json"), "w", encoding="utf-8") as out:
    json.dump(forms, out, ensure_ascii=False, indent=1, sort_keys=True)
    out.write("\n")
print(len(forms), "forms")
