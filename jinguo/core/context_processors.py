from django.urls import reverse

from jinguo.navigation import MENU


def navigation(request) -> dict:
    """The side menu for the signed-in user's roles; the current page is marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user.roles
    menu = []
    for section, items in MENU:
        entries = []
        for label, url_name, allowed in items:
            if roles & allowed:
                url = reverse(url_name)
                entries.append({"label": label, "url": url,
                                "active": request.path == url or (url != "/" and request.path.startswith(url))})
        if entries:
            menu.append({"label": section, "items": entries})
    return {"menu": menu}
