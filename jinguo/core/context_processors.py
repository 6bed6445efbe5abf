from django.urls import reverse

from jinguo.navigation import MENU


def navigation(request) -> dict:
    """The side menu for the signed-in user's roles; the item whose URL is the longest prefix of the page is
    marked current."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user.roles
    menu = []
    for section, items in MENU:
        entries = [{"label": label, "url": reverse(url_name)} for label, url_name, allowed in items if roles & allowed]
        if entries:
            menu.append({"label": section, "items": entries})
    matches = [e for s in menu for e in s["items"] if request.path == e["url"]
               or (e["url"] != "/" and request.path.startswith(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return {"menu": menu}
