from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def home(request):
    raise Http404


action_list = my_actions = home
