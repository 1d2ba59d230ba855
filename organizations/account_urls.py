from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from organizations import account_views

urlpatterns = [
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("two-factor/", account_views.two_factor, name="two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
