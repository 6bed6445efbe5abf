from django.urls import reverse

from jinguo.navigation import MENU


def navigation(request) -> dict:
    """The side menu for the signed-in user's roles; the item whose URL is the longest prefix of the page is
    marked current, and it and its section make the page's breadcrumbs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user.roles
    menu = []
    for section, icon, items in MENU:
        entries = [{"label": label, "url": reverse(url_name), "icon": item_icon}
                   for label, url_name, allowed, item_icon in items if roles & allowed]
        if entries:
            menu.append({"label": section, "icon": icon, "items": entries})
    matches = [(s, e) for s in menu for e in s["items"] if request.path == e["url"]
               or (e["url"] != "/" and request.path.startswith(e["url"]))]
    if not matches:
        return {"menu": menu}
    section, item = max(matches, key=lambda pair: len(pair[1]["url"]))
    item["active"] = True
    return {"menu": menu, "active_section": section if section["label"] else None,
            "active_item": item if item["url"] != "/" else None}
