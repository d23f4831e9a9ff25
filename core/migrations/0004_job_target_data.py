# Existing jobs get their target: a router job's router (router_id), a discovery job's
# Internet exchange (its `ixp` argument, which it no longer takes). Reversible.

from django.db import migrations
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def _types(apps, using):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    router, _ = ContentType.objects.using(using).get_or_create(app_label='devices', model='router')
    ixp, _ = ContentType.objects.using(using).get_or_create(
        app_label='peering', model='internetexchange'
    )
    return router, ixp


def to_targets(apps, schema_editor):
    using = schema_editor.connection.alias
    Job = apps.get_model('core', 'Job')
    Router = apps.get_model('devices', 'Router')
    InternetExchange = apps.get_model('peering', 'InternetExchange')
    router_jobs = Job.objects.using(using).filter(router__isnull=False)
    discoveries = Job.objects.using(using).filter(kind='discover')
    if not router_jobs.exists() and not discoveries.exists():
        return
    router_type, ixp_type = _types(apps, using)
    name = Router.objects.using(using).filter(pk=OuterRef('router_id')).values('name')[:1]
    router_jobs.update(
        target_type=router_type,
        target_id=F('router_id'),
        target_name=Coalesce(Subquery(name), Value('')),
    )
    names = dict(InternetExchange.objects.using(using).values_list('pk', 'name'))
    for job in discoveries.iterator():
        arguments = dict(job.arguments or {})
        ixp = arguments.pop('ixp', None)
        if isinstance(ixp, int) and not isinstance(ixp, bool):
            job.target_type, job.target_id = ixp_type, ixp
            job.target_name = names.get(ixp, '')[:200]
        job.arguments = arguments
        job.save(update_fields=['target_type', 'target_id', 'target_name', 'arguments'])


def to_router(apps, schema_editor):
    using = schema_editor.connection.alias
    Job = apps.get_model('core', 'Job')
    Router = apps.get_model('devices', 'Router')
    router_type, ixp_type = _types(apps, using)
    Job.objects.using(using).filter(
        target_type=router_type, target_id__in=Router.objects.using(using).values('pk')
    ).update(router_id=F('target_id'))
    for job in Job.objects.using(using).filter(kind='discover', target_type=ixp_type).iterator():
        job.arguments = {**(job.arguments or {}), 'ixp': job.target_id}
        job.save(update_fields=['arguments'])


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_job_target'),
        ('devices', '0001_initial'),
        ('peering', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(to_targets, to_router),
    ]
