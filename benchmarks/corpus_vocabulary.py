"""What the synthetic TMF's documents say and how sites name them.

Headings and file names follow fixtures/demo_documents.py and the labelled classification sets:
each kind of document has a heading and a file-name stem per language (en, zh-Hant, ko, ja), a
few body lines with placeholders, the TMF artifact it is filed as (for site folders that
prefix file names with artifact numbers), the level it lives at and its share of the corpus.
Placeholders: {study} {site} {hospital} {pi} {person} {date} {date2} {n} {version} {ref}.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("en", "zh-Hant", "ko", "ja")


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    artifact: str
    level: str  # trial, country or site
    weight: float
    zone: str  # the sub-folder a site or country that files by zone puts it in
    names: dict[str, tuple[str, str]]  # language -> (heading, file-name stem)
    body: dict[str, tuple[str, ...]] = field(default_factory=dict)
    signed: bool = False  # a kind the corpus signs digitally
    docx: bool = False  # a kind sites often keep as Word documents

    def heading(self, language: str) -> str:
        return self.names.get(language, self.names["en"])[0]

    def stem(self, language: str) -> str:
        return self.names.get(language, self.names["en"])[1]

    def lines(self, language: str) -> tuple[str, ...]:
        return self.body.get(language, self.body.get("en", ()))


SIGN_EN = "Signature: /s/ {pi}   Date: {date}"

# fmt: off
KINDS: tuple[Kind, ...] = (
    # ---- site level
    Kind("imv", "05.04.03", "site", 14, "05 Site Management", docx=True, names={
        "en": ("Interim Monitoring Visit Report", "IMV report #{n} {site} {date}"),
        "zh-Hant": ("定期監測訪視報告 Monitoring Visit Report", "定期監測訪視報告_{site}_第{n}次"),
        "ko": ("모니터링 방문 보고서", "모니터링 방문 보고서_{site}_{n}차"),
        "ja": ("モニタリング報告書 Monitoring Visit Report", "モニタリング報告書_{site}_第{n}回"),
    }, body={
        "en": ("Site {site} {hospital}, visit {n}, {date}", "Monitor: {person}"),
        "zh-Hant": ("試驗機構：{hospital} ({site})，第{n}次訪視，{date}", "監測者：{person}"),
        "ko": ("{hospital} ({site}), {n}차 방문, {date}", "모니터: {person}"),
        "ja": ("{hospital} ({site}) 第{n}回訪問 {date}", "モニター: {person}"),
    }),
    Kind("pi_cv", "05.02.04", "site", 4, "05 Site Set-up", names={
        "en": ("Curriculum Vitae - Principal Investigator", "PI CV {pi} {date}"),
        "zh-Hant": ("計畫主持人履歷 Curriculum Vitae", "計畫主持人履歷_{pi}"),
        "ko": ("시험책임자 이력서 (Curriculum Vitae)", "시험책임자 이력서_{pi}"),
        "ja": ("治験責任医師 履歴書", "治験責任医師履歴書_{pi}"),
    }, body={
        "en": (
            "{pi}, MD PhD",
            "{hospital}, Department of Medicine",
            SIGN_EN,
        ),
        "zh-Hant": ("姓名：{pi}", "{hospital}", "簽名：/s/ {pi}  日期：{date}"),
        "ko": ("성명: {pi}", "{hospital}", "서명: /s/ {pi}  날짜: {date}"),
        "ja": ("氏名: {pi}", "{hospital}", "署名: /s/ {pi}  日付: {date}"),
    }),
    Kind("subi_cv", "05.02.05", "site", 5, "05 Site Set-up", names={
        "en": ("Sub-Investigator Curriculum Vitae", "Sub-I CV {person} {site}"),
        "zh-Hant": ("協同主持人履歷", "協同主持人履歷_{person}"),
        "ko": ("시험담당자 이력서", "시험담당자 이력서_{person}"),
        "ja": ("治験分担医師 履歴書", "治験分担医師履歴書_{person}"),
    }, body={
        "en": ("{person}, MD", "{hospital}", "Signature: /s/ {person}   Date: {date}"),
        "zh-Hant": ("姓名：{person}", "{hospital}", "日期：{date}"),
        "ko": ("성명: {person}", "{hospital}", "날짜: {date}"),
        "ja": ("氏名: {person}", "{hospital}", "日付: {date}"),
    }),
    Kind("gcp", "05.02.07", "site", 6, "05 Site Set-up", names={
        "en": ("GCP Training Certificate", "GCP certificate {person} {date}"),
        "zh-Hant": ("GCP訓練證明 GCP Training Certificate", "GCP訓練證明_{person}"),
        "ko": ("GCP 교육 이수증", "GCP 이수증_{person}_{n}"),
        "ja": ("GCP研修修了証 GCP Training Certificate", "GCP研修修了証_{person}"),
    }, body={
        "en": ("This certifies that {person} completed ICH E6(R3) GCP training",),
        "zh-Hant": ("{person} 已完成 ICH E6(R3) GCP 訓練", "完成日期：{date}"),
        "ko": ("성명: {person}", "교육명: 임상시험 종사자 교육 (GCP)", "이수일: {date}"),
        "ja": ("{person} はGCP研修を修了したことを証明する", "修了日: {date}"),
    }),
    Kind("doa", "05.02.18", "site", 3, "05 Site Set-up", signed=True, docx=True, names={
        "en": ("Delegation of Authority Log", "Delegation Log {site} v{version}"),
        "zh-Hant": ("授權分工表 Delegation Log", "授權分工表_{site}_v{version}"),
        "ko": ("업무 위임 로그 (Delegation Log)", "업무위임로그_{site}_v{version}"),
        "ja": ("治験分担医師・治験協力者リスト", "分担者リスト_{site}_v{version}"),
    }, body={
        "en": (
            "Site: {site} {hospital}",
            "{pi} | PI | All tasks | {date}",
            SIGN_EN,
        ),
        "zh-Hant": ("{site} {hospital}", "{pi} | 計畫主持人 | 全部 | {date}"),
        "ko": ("{site} {hospital}", "{pi} | 시험책임자 | 전체 업무 | {date}"),
        "ja": ("{site} {hospital}", "{pi} | 治験責任医師 | 全業務 | {date}"),
    }),
    Kind("training", "05.03.03", "site", 5, "05 Site Initiation", docx=True, names={
        "en": ("Site Training Log", "Site training log {site} {date}"),
        "zh-Hant": ("計畫書訓練紀錄 Protocol training record", "計畫書訓練紀錄_{site}_{n}"),
        "ko": ("교육 기록 (Site Training Log)", "교육 기록_{site}_{n}"),
        "ja": ("トレーニング記録 Site Training Log", "トレーニング記録_{site}_{n}"),
    }, body={
        "en": ("Protocol training, {date}", "Attendees: {pi}; {person}"),
    }),
    Kind("irb_approval", "04.01.02", "site", 4, "04 IRB", names={
        "en": ("IRB Approval Letter", "IRB Approval Letter {date}"),
        "zh-Hant": ("人體試驗委員會 核准函", "人體試驗委員會核准函_{date}"),
        "ko": ("임상시험심사위원회 승인 통보서", "IRB 승인서_{date}"),
        "ja": ("治験審査結果通知書", "治験審査結果通知書_{date}"),
    }, body={
        "en": ("{hospital} Institutional Review Board", "Approval date: {date}", "PI: {pi}"),
        "zh-Hant": ("{hospital} 研究倫理委員會", "核准日期：{date}", "計畫主持人：{pi}"),
        "ko": ("{hospital} 임상시험심사위원회", "승인일: {date}", "시험책임자: {pi}"),
        "ja": ("{hospital} 治験審査委員会", "承認日: {date}", "治験責任医師: {pi}"),
    }),
    Kind("irb_roster", "04.01.03", "site", 2, "04 IRB", names={
        "en": ("IRB Membership Roster", "IRB Membership Roster {n}"),
        "zh-Hant": ("研究倫理委員會 委員名單", "研究倫理委員會委員名單_{n}"),
        "ko": ("임상시험심사위원회 위원 명단", "IRB 위원 명단_{n}"),
        "ja": ("治験審査委員会 委員名簿", "治験審査委員会委員名簿_{n}"),
    }, body={
        "en": ("{hospital}", "Effective {date}"),
    }),
    Kind("progress", "04.03.02", "site", 2, "04 IRB", names={
        "en": ("Continuing Review Progress Report", "Continuing review report {site} {n}"),
        "zh-Hant": ("期中報告 Continuing Review Progress Report", "期中報告_{site}_{n}"),
        "ko": ("지속심의 중간보고서", "지속심의 중간보고서_{site}_{n}"),
        "ja": ("治験実施状況報告書", "治験実施状況報告書_{site}_{n}"),
    }, body={
        "en": ("Reporting period ending {date}", "Site {site}, PI {pi}"),
    }),
    Kind("icf", "02.02.03", "site", 4, "02 Subject Documentation", names={
        "en": ("Informed Consent Form", "ICF {site} v{version}"),
        "zh-Hant": ("受試者同意書", "受試者同意書_{site}_v{version}"),
        "ko": ("피험자 설명문 및 동의서", "피험자 동의서_{site}_v{version}"),
        "ja": ("同意説明文書", "同意説明文書_{site}_第{version}版"),
    }, body={
        "en": ("{hospital}", "Version {version} {site}, {date}"),
        "zh-Hant": ("{hospital}", "版本：{version} {site}，日期：{date}"),
        "ko": ("{hospital}", "버전 {version} {site}, {date}"),
        "ja": ("{hospital}", "第{version}版 {site} {date}"),
    }),
    Kind("sig_page", "05.02.02", "site", 2, "05 Site Set-up", signed=True, names={
        "en": ("Protocol Signature Page", "Protocol signature page {pi}"),
        "zh-Hant": ("計畫書簽名頁 Protocol Signature Page", "計畫書簽名頁_{pi}"),
        "ko": ("임상시험계획서 서명페이지 (Protocol Signature Page)", "계획서 서명페이지_{pi}"),
        "ja": ("治験実施計画書 署名ページ Protocol Signature Page", "計画書署名ページ_{pi}"),
    }, body={
        "en": (
            "Protocol {study} version {version}",
            "I have read this protocol and agree to conduct the study as described.",
            SIGN_EN,
        ),
    }),
    Kind("cta", "05.02.12", "site", 1.5, "05 Site Set-up", signed=True, names={
        "en": ("Clinical Trial Agreement", "CTA {hospital} executed"),
        "zh-Hant": ("臨床試驗合約書 Clinical Trial Agreement", "臨床試驗合約_{site}"),
        "ko": ("임상시험 계약서 (Clinical Trial Agreement)", "임상시험 계약서_{site}"),
        "ja": ("治験契約書 Clinical Trial Agreement", "治験契約書_{site}"),
    }, body={
        "en": ("Between Example Pharma Co., Ltd. and {hospital}", "Executed {date}"),
    }),
    Kind("sae", "07.02.02", "site", 8, "07 Safety", docx=True, names={
        "en": ("Serious Adverse Event Report", "SAE report {ref} initial {date}"),
        "zh-Hant": ("嚴重不良事件通報表 SAE Report", "嚴重不良事件通報表_{ref}"),
        "ko": ("중대한 이상사례 보고서 (SAE Report)", "중대한 이상사례 보고서_{ref}"),
        "ja": ("重篤な有害事象に関する報告書", "重篤有害事象報告書_{ref}"),
    }, body={
        "en": ("Subject {ref}, onset {date}", "Reported by {pi}, site {site}"),
    }),
    Kind("accountability", "06.01.05", "site", 5, "06 IP", names={
        "en": ("Drug Accountability Log", "Drug accountability log {site} {n}"),
        "zh-Hant": ("試驗藥品管理紀錄表", "試驗藥品管理紀錄表_{site}_{n}"),
        "ko": ("임상시험용의약품 관리기록지", "임상시험용의약품 관리기록지_{site}_{n}"),
        "ja": ("治験薬管理表", "治験薬管理表_{site}_{n}"),
    }, body={
        "en": ("Site {site}, period ending {date}", "Kit | Dispensed | Returned | Initials"),
    }),
    Kind("shipment", "06.01.04", "site", 4, "06 IP", names={
        "en": ("IP Shipment Acknowledgement of Receipt", "IP receipt {site} shipment {n}"),
        "zh-Hant": ("試驗用藥品 點收確認單", "試驗藥品點收單_{site}_{date}"),
        "ko": ("임상시험용의약품 인수증", "임상시험용의약품 인수증_{site}_{n}차"),
        "ja": ("治験薬受領書", "治験薬受領書_{site}_{n}"),
    }, body={
        "en": ("Shipment {n} received {date} at {hospital}",),
    }),
    Kind("temperature", "06.04.01", "site", 4, "06 IP", names={
        "en": ("Temperature Log - Pharmacy Fridge", "Fridge temperature log {date}"),
        "zh-Hant": ("試驗用藥品 冰箱溫度紀錄表", "冰箱溫度紀錄表_{date}"),
        "ko": ("냉장고 온도 기록지", "냉장고 온도 기록지_{date}"),
        "ja": ("温度記録表 (治験薬保管庫)", "温度記録表_{date}"),
    }, body={
        "en": ("{hospital} pharmacy, month of {date}", "Min 2.1 C | Max 7.8 C"),
    }),
    Kind("screening", "05.04.01", "site", 3, "05 Site Management", docx=True, names={
        "en": ("Subject Screening and Enrolment Log", "Screening log {site} {date}"),
        "zh-Hant": ("受試者篩選及納入紀錄 Screening Log", "受試者篩選紀錄_{site}_{n}"),
        "ko": ("피험자 스크리닝 및 등록 기록 (Screening Log)", "스크리닝 로그_{site}_{n}"),
        "ja": ("スクリーニング名簿 Screening Log", "スクリーニング名簿_{site}_{n}"),
    }, body={
        "en": ("Site {site}, as of {date}", "Screened | Enrolled | Screen failed"),
    }),
    Kind("siv", "05.03.01", "site", 1, "05 Site Initiation", docx=True, names={
        "en": ("Site Initiation Visit Report", "SIV report {site} {date}"),
        "zh-Hant": ("啟動訪視報告 Site Initiation Visit Report", "啟動訪視報告_{site}"),
        "ko": ("개시 방문 보고서 (Site Initiation Visit Report)", "개시방문 보고서_{site}"),
        "ja": ("開始前訪問報告書 Site Initiation Visit Report", "開始前訪問報告書_{site}"),
    }, body={
        "en": ("Site {site}, visit date {date}", "Monitor: {person}"),
    }),
    Kind("normal_ranges", "08.01.04", "site", 1.5, "08 Laboratory", names={
        "en": ("Laboratory Normal Ranges", "Lab normal ranges {hospital} {n}"),
        "zh-Hant": ("檢驗參考值 Laboratory Normal Ranges", "檢驗參考值_{site}_{n}"),
        "ko": ("검사실 정상치 범위 (Laboratory Normal Ranges)", "검사실 정상치 범위_{site}_{n}"),
        "ja": ("臨床検査基準値 Laboratory Normal Ranges", "臨床検査基準値_{site}_{n}"),
    }, body={
        "en": ("{hospital} laboratory", "Effective date: {date}", "ALT (U/L) 7-56"),
    }),
    # ---- country level
    Kind("ra_approval", "03.01.02", "country", 1.5, "03 Regulatory", names={
        "en": ("Regulatory Authority Approval Letter", "Regulatory approval {study} {date}"),
        "zh-Hant": ("衛生福利部食品藥物管理署 核准函", "TFDA核准函_{date}"),
        "ko": ("임상시험계획 승인서", "식약처 임상시험계획승인서_{date}"),
        "ja": ("治験計画届書 受理通知", "治験計画届_{date}"),
    }, body={
        "en": ("Approval of clinical trial {study}", "Date of approval: {date}"),
        "zh-Hant": ("主旨：同意{study}臨床試驗計畫執行", "發文日期：{date}"),
        "ko": ("식품의약품안전처", "승인일자: {date}"),
        "ja": ("独立行政法人医薬品医療機器総合機構", "受理日: {date}"),
    }),
    Kind("import_permit", "03.02.02", "country", 1, "03 Regulatory", names={
        "en": ("Import permit for investigational product", "IMP import permit {n}"),
        "zh-Hant": ("試驗用藥品進口同意書", "TFDA進口同意書_{n}"),
        "ko": ("임상시험용의약품 수입 승인서", "수입 승인서_{n}"),
        "ja": ("治験薬輸入確認書", "治験薬輸入確認書_{n}"),
    }, body={
        "en": ("Issued {date}", "Valid until {date2}"),
    }),
    Kind("insurance", "02.01.06", "country", 1, "02 Central Trial Documents", names={
        "en": ("Certificate of Insurance - Clinical Trial", "Certificate of Insurance {n}"),
        "zh-Hant": ("臨床試驗責任保險單", "臨床試驗責任保險單_{n}"),
        "ko": ("임상시험 배상책임보험 증권", "임상시험 보험증권_{n}"),
        "ja": ("治験保険加入証明書", "治験保険加入証明書_{n}"),
    }, body={
        "en": ("Insured: Example Pharma for study {study}", "Period: {date} to {date2}"),
    }),
    Kind("country_icf", "02.02.03", "country", 1, "02 Subject Documentation", names={
        "en": ("Informed Consent Form - country master", "ICF country master v{version}"),
        "zh-Hant": ("受試者同意書", "受試者同意書_國家版_v{version}"),
        "ko": ("피험자 설명문 및 동의서", "피험자 동의서_국가_v{version}"),
        "ja": ("同意説明文書", "同意説明文書_国版_第{version}版"),
    }, body={
        "en": ("Study {study}", "Country version {version}, {date}"),
    }),
    # ---- trial level
    Kind("protocol", "02.01.02", "trial", 0.6, "02 Central Trial Documents", names={
        "en": ("Clinical Study Protocol", "{study} Protocol v{version} {date}"),
    }, body={
        "en": ("Protocol number: {study}", "Version {version}, {date}", "Sponsor: Example Pharma"),
    }),
    Kind("amendment", "02.01.04", "trial", 0.5, "02 Central Trial Documents", names={
        "en": ("Protocol Amendment - Summary of Changes", "Protocol Amendment {n} {study}"),
    }, body={
        "en": ("Amendment {n} to protocol {study}", "Dated {date}"),
    }),
    Kind("ib", "02.01.01", "trial", 0.4, "02 Central Trial Documents", names={
        "en": ("Investigator's Brochure", "{study} Investigator's Brochure Edition {n}"),
    }, body={
        "en": ("Examplumab (EXM-201)", "Edition {n}.0", "Release date: {date}"),
    }),
    Kind("monitoring_plan", "01.01.08", "trial", 0.3, "01 Trial Management", docx=True, names={
        "en": ("Monitoring Plan", "{study} Monitoring Plan v{version}"),
    }, body={
        "en": ("Study {study}", "Version {version}, {date}", "Risk-based monitoring approach"),
    }),
    Kind("dmc_minutes", "01.03.03", "trial", 0.4, "01 Trial Management", names={
        "en": ("Data Monitoring Committee - Open Session Minutes", "DMC minutes {date}"),
    }, body={
        "en": ("Meeting {n} of the DMC for {study}", "Held on {date}"),
    }),
    Kind("newsletter", "01.01.13", "trial", 0.4, "01 Trial Management", docx=True, names={
        "en": ("Investigator Newsletter", "{study} Investigator Newsletter {n}"),
    }, body={
        "en": ("Issue {n}, {date}", "Enrolment update and reminders"),
    }),
    Kind("lab_certificate", "08.01.01", "trial", 0.3, "08 Central Laboratory", names={
        "en": ("CAP Accreditation Certificate", "Central Lab CAP certificate {n}"),
    }, body={
        "en": ("Examplar Central Laboratory", "Valid until {date2}"),
    }),
)
# fmt: on

KINDS_BY_LEVEL: dict[str, tuple[Kind, ...]] = {
    level: tuple(k for k in KINDS if k.level == level) for level in ("trial", "country", "site")
}

# The language a country's documents are mostly written in (the rest are in English).
COUNTRY_LANGUAGE = {"TW": "zh-Hant", "KR": "ko", "JP": "ja", "AU": "en", "US": "en"}

HOSPITALS = {
    "TW": ("台大醫院", "長庚紀念醫院", "台北榮總", "馬偕紀念醫院", "中國醫藥大學附設醫院",
           "高雄醫學大學附設醫院", "成大醫院", "彰化基督教醫院", "亞東醫院", "三軍總醫院"),
    "KR": ("서울대학교병원", "삼성서울병원", "서울아산병원", "세브란스병원", "서울성모병원",
           "분당서울대병원", "고려대안암병원", "경희대병원", "부산대병원", "전남대병원"),
    "JP": ("東京大学病院", "大阪大学病院", "京都大学病院", "国立がん研究センター", "名古屋大学病院",
           "九州大学病院", "北海道大学病院", "慶應義塾大学病院", "順天堂医院", "東北大学病院"),
    "AU": ("RMH", "Alfred Health", "Westmead", "RPA", "Royal Brisbane", "Monash Health",
           "St Vincents Sydney", "Royal Adelaide", "Fiona Stanley", "Austin Health"),
    "US": ("Mayo Clinic", "MGH Boston", "UCSF", "Johns Hopkins", "MD Anderson",
           "Cleveland Clinic", "Stanford", "Mount Sinai", "Duke", "UCLA"),
}  # fmt: skip

# (native, romanised) family and given names; people are named "family given" in both.
FAMILY = {
    "TW": (("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Lee"),
           ("王", "Wang"), ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang")),
    "KR": (("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"),
           ("강", "Kang"), ("조", "Cho"), ("윤", "Yoon")),
    "JP": (("山田", "Yamada"), ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"),
           ("田中", "Tanaka"), ("伊藤", "Ito"), ("渡辺", "Watanabe")),
    "AU": (("Thompson", "Thompson"), ("Nguyen", "Nguyen"), ("Smith", "Smith"),
           ("Williams", "Williams"), ("Wilson", "Wilson"), ("Taylor", "Taylor")),
    "US": (("Johnson", "Johnson"), ("Garcia", "Garcia"), ("Miller", "Miller"),
           ("Davis", "Davis"), ("Martinez", "Martinez"), ("Anderson", "Anderson")),
}  # fmt: skip
GIVEN = {
    "TW": (("威霖", "Wei-Lin"), ("美華", "Mei-Hua"), ("志明", "Chih-Ming"), ("淑芬", "Shu-Fen"),
           ("怡君", "Yi-Chun"), ("家豪", "Chia-Hao"), ("雅婷", "Ya-Ting"), ("俊傑", "Chun-Chieh")),
    "KR": (("민준", "Min-jun"), ("서연", "Seo-yeon"), ("지우", "Ji-woo"), ("현우", "Hyun-woo"),
           ("수진", "Soo-jin"), ("예준", "Ye-jun"), ("하은", "Ha-eun")),
    "JP": (("太郎", "Taro"), ("花子", "Hanako"), ("健一", "Kenichi"), ("美咲", "Misaki"),
           ("翔", "Sho"), ("陽子", "Yoko")),
    "AU": (("Sarah", "Sarah"), ("James", "James"), ("Emily", "Emily"), ("Daniel", "Daniel"),
           ("Olivia", "Olivia"), ("Grace", "Grace")),
    "US": (("Michael", "Michael"), ("Jennifer", "Jennifer"), ("David", "David"),
           ("Ashley", "Ashley"), ("Robert", "Robert"), ("Laura", "Laura")),
}  # fmt: skip

# Names scanners and office software give files: a site that files them unrenamed.
GENERIC_NAMES = ("scan{n:04d}", "scan_{n:04d}", "IMG_2025_{n:04d}", "Document{n}", "doc{n:05d}")

# Filler for the pages after the first: monitoring-report prose with numbers varied per line.
FILLER = {
    "en": (
        "Subject {a}-{b:03d} visit {c} completed on {d}; source data verified against the eCRF.",
        "Query {a}{b:04d} raised on page {c} was answered by the site coordinator on {d}.",
        "Protocol deviation {a}-{b:02d}: visit window exceeded by {c} days, assessed as minor.",
        "Investigational product kit {a}{b:05d} dispensed; {c} tablets returned at the visit.",
        "The investigator confirmed that {c} subjects are ongoing and {a} have completed.",
        "Action item {a}.{c}: file the updated staff CV ({b} pages) in the ISF before {d}.",
        "Laboratory sample {a}{b:04d} shipped to the central laboratory on {d}, {c} aliquots.",
    ),
    "zh-Hant": (
        "受試者 {a}-{b:03d} 第{c}次訪視已於 {d} 完成，原始資料已核對。",
        "第{c}頁資料疑義 {a}{b:04d} 已由研究護理師於 {d} 回覆。",
        "試驗藥品 {a}{b:05d} 已發放，回收 {c} 錠。",
        "計畫主持人確認 {c} 位受試者持續參與試驗，{a} 位已完成。",
    ),
    "ko": (
        "피험자 {a}-{b:03d} {c}차 방문은 {d}에 완료되었으며 근거문서를 확인하였다.",
        "{c}페이지 쿼리 {a}{b:04d}는 {d}에 연구간호사가 답변하였다.",
        "임상시험용의약품 {a}{b:05d} 지급, {c}정 반납.",
        "시험책임자는 {c}명의 피험자가 참여 중이며 {a}명이 완료하였음을 확인하였다.",
    ),
    "ja": (
        "被験者 {a}-{b:03d} の第{c}回来院は {d} に完了し、原資料を確認した。",
        "{c}ページのクエリ {a}{b:04d} は {d} に治験コーディネーターが回答した。",
        "治験薬 {a}{b:05d} を交付し、{c}錠を回収した。",
        "治験責任医師は{c}名の被験者が継続中であり、{a}名が終了したことを確認した。",
    ),
}
