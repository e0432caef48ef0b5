"""Body text of a sample report: title, 总体情况 paragraphs, closing sections.

Sentences are assembled from phrases of real reports so the pages read (and wrap) like one;
the numbers in the prose are deliberately unrelated to the tables, as they are in reality.
"""

from __future__ import annotations

import random

from samples.variant import Variant


def title_lines(v: Variant, rng: random.Random) -> list[str]:
    """The report title, in the variant's word order."""
    nian = rng.choice(["年", "年度"])
    if v.title_style == "year_first":
        return [f"{v.year}{nian}{v.agency}政府信息公开工作年度报告"]
    if v.title_style == "two_lines":
        return [v.agency, f"{v.year}{nian}政府信息公开工作年度报告"]
    return [f"{v.agency}{v.year}{nian}政府信息公开工作年度报告"]


def intro(v: Variant, rng: random.Random) -> str:
    office = "办公厅" if v.level in ("ministry", "province") else "办公室"
    owner = v.agency if not v.agency.endswith("办事处") else v.agency
    phone = f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}"
    return (
        f"本报告由{owner}{office}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）"
        f"和国务院办公厅政府信息与政务公开办公室有关要求编制。全文包括总体情况、主动公开政府信息"
        f"情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要"
        f"问题及改进情况、其他需要报告的事项。报告中所列数据统计期限自{v.year}年1月1日起至"
        f"{v.year}年12月31日止。如对本报告有疑问，请与{owner}{office}联系（电话：{phone}）。"
    )


_LEADS = [
    (
        "（一）主动公开情况。",
        "坚持以公开为常态、不公开为例外，通过政府门户网站、政务新媒体等渠道"
        "主动公开政策文件、规划计划、财政预决算、重大建设项目等各类政府信息{n}条，其中政策解读"
        "{m}条。及时更新机构职能、领导分工等基础信息，确保公开内容准确完整。",
    ),
    (
        "（二）依申请公开情况。",
        "进一步规范依申请公开受理、登记、审核、答复等流程，畅通网上、"
        "信函、当面等申请渠道。{year}年共受理政府信息公开申请，均在法定期限内依法依规作出答复，"
        "答复规范性和准确性进一步提升。",
    ),
    (
        "（三）政府信息管理情况。",
        "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”"
        "和“一事一审”原则，从严把好政治关、法律关、政策关、保密关、文字关，全年未发生泄密事件。"
        "动态调整主动公开基本目录，开展规范性文件清理工作。",
    ),
    (
        "（四）政府信息公开平台建设情况。",
        "持续加强政府网站和政务新媒体管理，按照管理标准定期"
        "开展检查，及时关停整合更新不及时、无力运维的新媒体账号。全年网站访问量达{k}万人次，"
        "发布信息{n}条。",
    ),
    (
        "（五）监督保障情况。",
        "将政务公开工作纳入年度绩效考核，明确责任分工，组织开展业务"
        "培训{m}次，参训人员{k}人次。主动接受社会监督，全年未发生因政府信息公开工作被责任追究"
        "的情况。",
    ),
    (
        "（六）重点领域信息公开情况。",
        "围绕优化营商环境、乡村振兴、民生保障等重点领域，"
        "及时公开政策措施和执行情况，做好政策解读和回应关切，增强公开实效。",
    ),
    (
        "（七）政民互动情况。",
        "依托“政民互动”平台及时回应群众关切，全年办理网民留言{n}件，按期办结率100%。",
    ),
]

_PROBLEMS = [
    "{year}年，{place}政府信息公开工作取得了一定成效，但对照上级要求和群众期盼，仍存在一些"
    "不足：一是主动公开的深度和广度有待拓展；二是政策解读形式较为单一；三是工作人员业务能力"
    "有待进一步提高。",
    "下一步，将着力抓好以下工作：一是深化重点领域信息公开，持续提升公开质量；二是规范依申请"
    "公开办理，加强答复文书规范化建设；三是加强业务培训，不断提升政务公开队伍专业化水平。",
    "针对上述问题，我们将进一步健全工作机制，加强统筹协调，强化考核评估，推动政府信息公开"
    "工作再上新台阶。",
]


def overview(v: Variant, rng: random.Random) -> list[tuple[str, str]]:
    """(bold lead, text) paragraphs of 一、总体情况."""
    first = (
        "",
        f"{v.year}年，{v.place}深入贯彻落实《条例》和上级关于政务公开工作的部署要求，"
        "坚持以人民为中心的发展思想，不断完善政府信息公开制度，推进政府信息公开工作规范化、"
        "标准化、法治化发展。",
    )
    chosen = _LEADS[: max(v.body_paragraphs - 1, 1)]
    out = [first]
    for lead, text in chosen:
        fill = {"n": rng.randint(80, 6000), "m": rng.randint(3, 90), "k": rng.randint(2, 300)}
        out.append((lead, text.format(year=v.year, **fill)))
    return out


def problems(v: Variant, rng: random.Random) -> list[str]:
    count = rng.randint(1, len(_PROBLEMS))
    return [p.format(year=v.year, place=v.place) for p in _PROBLEMS[:count]]


def other_matters(v: Variant, rng: random.Random) -> list[str]:
    if v.format == "2021":
        return [
            "依据《政府信息公开信息处理费管理办法》收取信息处理费的情况：本年度未收取信息处理费。"
            f"{v.year}年度，{v.place}无其他需要报告的事项。"
        ]
    return [f"{v.year}年度，{v.place}无其他需要报告的事项。"]


def signature(v: Variant, rng: random.Random) -> list[str]:
    return [v.agency, f"{v.year + 1}年1月{rng.randint(8, 31)}日"]
