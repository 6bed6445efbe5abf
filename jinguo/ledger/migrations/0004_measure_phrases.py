from django.db import migrations

PHRASES = {
    "participants": "参与群众{n}", "materials": "发放宣传资料{n}", "consultations": "接受咨询{n}",
    "banners": "悬挂横幅{n}", "handbooks": "发放手册{n}", "lectures": "举办讲座{n}", "trainees": "培训{n}",
    "beneficiaries": "受益群众{n}", "volunteers": "志愿者参与{n}", "visited": "慰问{n}", "checkups": "开展体检{n}",
    "condolence": "发放慰问金{n}", "relief": "发放救助金{n}", "goods": "发放物资折合{n}", "donations": "接收捐款{n}",
}


def forwards(apps, schema_editor):
    Measure = apps.get_model("ledger", "Measure")
    for code, phrase in PHRASES.items():
        Measure.objects.filter(code=code, phrase="").update(phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_measure_phrase")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
