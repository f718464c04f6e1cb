from django.db import migrations

HOME_TITLE = "百佳商务培训"


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Locale = apps.get_model("wagtailcore.Locale")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")

    # Replace Wagtail's placeholder welcome page (wagtailcore.0002) with our HomePage.
    Page.objects.filter(content_type__app_label="wagtailcore", content_type__model="page", depth=2).delete()
    root = Page.objects.get(depth=1)
    homepage_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    homepage = HomePage.objects.create(
        title=HOME_TITLE,
        draft_title=HOME_TITLE,
        slug="home",
        content_type=homepage_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=Locale.objects.order_by("pk").first(),
        hero_title="学一门手艺，找一份好工作",
        hero_text="家政服务、市场营销、旅游管理、计算机、电子商务、美术设计——学完推荐到合作商家就业。",
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=homepage, is_default_site=True, site_name=HOME_TITLE
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
