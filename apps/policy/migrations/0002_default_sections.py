from django.db import migrations

# The sections HR starts from (copied here so that the migration never changes with the code).
SECTIONS = [
    ("purpose", 10, "目的", "Purpose",
     "为建立以绩效为导向的企业文化，客观评价员工的工作业绩，激励员工持续改进，特制定本制度。",
     "This policy sets out how the company plans, coaches, appraises and rewards performance, so that every "
     "employee is judged fairly against goals agreed in advance and keeps improving."),
    ("principles", 20, "原则", "Principles",
     "公开、公平、公正；目标事先约定，结果以数据为依据；考核结果与员工沟通并作为发展与激励的依据。",
     "Open, fair and just; goals agreed in advance and results based on data; every result is discussed with the "
     "employee and used for development and reward."),
    ("roles", 30, "职责", "Roles",
     "人力资源部负责制度的制定、组织与监督；各级管理者负责本部门的目标设定、辅导、评分与面谈；员工负责完成目标并进行自评。",
     "HR drafts this policy, organises the cycles and oversees them; managers set goals, coach, score and hold the "
     "feedback interview; employees deliver their goals and assess themselves."),
    ("use", 40, "结果应用", "How results are used",
     "考核结果作为绩效工资、晋升、培训与发展、岗位调整的依据；连续两期为 D 的员工将制定改进计划。",
     "Results inform performance pay, promotion, training and development and changes of position; an employee "
     "graded D twice in a row gets an improvement plan."),
]


def create(apps, schema_editor):
    PolicySection = apps.get_model("policy", "PolicySection")
    for key, order, title_zh, title_en, body_zh, body_en in SECTIONS:
        PolicySection.objects.get_or_create(key=key, defaults={
            "order": order, "title_zh": title_zh, "title_en": title_en, "body_zh": body_zh, "body_en": body_en})


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
