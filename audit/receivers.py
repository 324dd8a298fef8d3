from celery.signals import task_postrun, task_prerun
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .context import Actor, Channel, _current, current_actor

_task_tokens = {}


@receiver(pre_create_historical_record)
def stamp_historical_record(sender, history_instance, **kwargs):
    actor = current_actor()
    history_instance.history_channel = actor.channel
    history_instance.history_actor = actor.label


@task_prerun.connect
def enter_worker_context(task_id=None, task=None, **kwargs):
    _task_tokens[task_id] = _current.set(Actor(channel=Channel.WORKER, label=f"task {task.name}"))


@task_postrun.connect
def leave_worker_context(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
