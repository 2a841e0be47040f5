"""What Vigía says on WhatsApp in its own words, in es/en/fr (the reader's language, from theirs)."""

from __future__ import annotations

import re

from bot.model import Paragraph, Span
from bot.whatsapp.words import LANGUAGES

__all__ = ["DEFAULT", "paragraphs", "say"]

DEFAULT = "es"  # most readers write Spanish; a reader who writes "hi" gets English from then on

_TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "es": "*Bienvenido a Vigía.* Sigo las noticias sobre Venezuela, junto las copias de una "
              "misma noticia y digo quién aparece en ella.",
        "en": "*Welcome to Vigía.* I watch the news about Venezuela, fold copies of the same "
              "story together and tag who is in it.",
        "fr": "*Bienvenue sur Vigía.* Je suis l'actualité du Venezuela, je regroupe les copies "
              "d'une même information et j'indique qui y apparaît.",
    },
    "how_to_stop": {
        "es": "Para no recibir nada más, escribe *baja*.",
        "en": "To receive nothing more, send *stop*.",
        "fr": "Pour ne plus rien recevoir, écrivez *arrêt*.",
    },
    "next": {
        "es": "Tu próximo resumen llega el {day} a las {clock} ({zone}).",
        "en": "Your next digest comes on {day} at {clock} ({zone}).",
        "fr": "Votre prochain résumé arrive le {day} à {clock} ({zone}).",
    },
    "off": {
        "es": "Tu resumen programado está desactivado.",
        "en": "Your scheduled digest is off.",
        "fr": "Votre résumé programmé est désactivé.",
    },
    "help": {
        "es": "Escribe:\n*resumen* (o *resumen 6h*, *7d*) — lo más importante ahora\n"
              "*actor maduro* — lo último sobre un actor\n*seguir machado* — un aviso cuando "
              "aparezca en una noticia nueva\n*dejar machado* — dejar de seguir\n*temas* — los "
              "actores que conozco\n*baja* — no recibir nada más",
        "en": "Send:\n*digest* (or *digest 6h*, *7d*) — the top stories now\n*actor maduro* — "
              "the latest about an actor\n*follow machado* — an alert when they are in a new "
              "story\n*unfollow machado* — stop following\n*actors* — the actors I know\n"
              "*stop* — receive nothing more",
        "fr": "Écrivez :\n*résumé* (ou *résumé 6h*, *7d*) — l'essentiel maintenant\n*acteur "
              "maduro* — le plus récent sur un acteur\n*suivre machado* — une alerte quand il "
              "apparaît dans une nouvelle information\n*ne plus suivre machado* — arrêter de "
              "suivre\n*acteurs* — les acteurs que je connais\n*arrêt* — ne plus rien recevoir",
    },
    "unknown": {
        "es": "No entendí ese mensaje.",
        "en": "I did not understand that message.",
        "fr": "Je n'ai pas compris ce message.",
    },
    "stopped": {
        "es": "Listo: no recibirás más resúmenes ni avisos. Escribe *hola* para volver.",
        "en": "Done: no more digests or alerts. Send *hi* to come back.",
        "fr": "C'est fait : plus de résumés ni d'alertes. Écrivez *bonjour* pour revenir.",
    },
    "not_subscribed": {
        "es": "No estabas suscrito. Escribe *hola* para recibir el resumen.",
        "en": "You were not subscribed. Send *hi* to get the digest.",
        "fr": "Vous n'étiez pas abonné. Écrivez *bonjour* pour recevoir le résumé.",
    },
    "bad_window": {
        "es": "No entiendo «{window}» como periodo. Prueba *resumen 6h*, *resumen 24h* o "
              "*resumen 7d*.",
        "en": "I can't read “{window}” as a window. Try *digest 6h*, *digest 24h* or *digest 7d*.",
        "fr": "Je ne comprends pas « {window} » comme période. Essayez *résumé 6h*, *résumé 24h* "
              "ou *résumé 7d*.",
    },
    "name_needed": {
        "es": "¿Qué actor? Por ejemplo: *{verb} maduro*. *temas* los lista todos.",
        "en": "Which actor? For example: *{verb} maduro*. *actors* lists them all.",
        "fr": "Quel acteur ? Par exemple : *{verb} maduro*. *acteurs* les liste tous.",
    },
    "ambiguous": {
        "es": "«{name}» puede ser varios actores. ¿Cuál?",
        "en": "“{name}” fits several actors. Which one?",
        "fr": "« {name} » correspond à plusieurs acteurs. Lequel ?",
    },
    "closest": {
        "es": "No conozco «{name}». ¿Quisiste decir uno de estos?",
        "en": "I don't know “{name}”. Did you mean one of these?",
        "fr": "Je ne connais pas « {name} ». Vouliez-vous dire l'un de ceux-ci ?",
    },
    "unknown_name": {
        "es": "No conozco «{name}». *temas* lista los actores que conozco.",
        "en": "I don't know “{name}”. *actors* lists the actors I know.",
        "fr": "Je ne connais pas « {name} ». *acteurs* liste les acteurs que je connais.",
    },
    "choose": {"es": "Elegir", "en": "Choose", "fr": "Choisir"},
    "following": {
        "es": "Sigues a *{name}*: cada noticia nueva que lo nombre trae un aviso (como mucho "
              "{cap} por hora; el resto espera a tu resumen).",
        "en": "Following *{name}*: a new story naming them brings an alert (at most {cap} an "
              "hour; the rest wait for your digest).",
        "fr": "Vous suivez *{name}* : chaque nouvelle information qui le nomme apporte une alerte "
              "(au plus {cap} par heure ; le reste attend votre résumé).",
    },
    "already_following": {
        "es": "Ya sigues a *{name}*.",
        "en": "You already follow *{name}*.",
        "fr": "Vous suivez déjà *{name}*.",
    },
    "subscribe_first": {
        "es": "Los avisos llegan cuando estás suscrito: escribe *hola*.",
        "en": "Alerts come once you are subscribed: send *hi*.",
        "fr": "Les alertes arrivent une fois abonné : écrivez *bonjour*.",
    },
    "unfollowed": {
        "es": "No más avisos sobre *{name}*.",
        "en": "No more alerts about *{name}*.",
        "fr": "Plus d'alertes sur *{name}*.",
    },
    "not_following": {
        "es": "No seguías a *{name}*.",
        "en": "You were not following *{name}*.",
        "fr": "Vous ne suiviez pas *{name}*.",
    },
    "follows": {
        "es": "*Sigues a:* {names}",
        "en": "*You follow:* {names}",
        "fr": "*Vous suivez :* {names}",
    },
    "follows_none": {
        "es": "Todavía no sigues a nadie. Por ejemplo: *seguir machado*.",
        "en": "You follow nobody yet. For example: *follow machado*.",
        "fr": "Vous ne suivez encore personne. Par exemple : *suivre machado*.",
    },
    "actors": {
        "es": "*Actores* · noticias de los últimos 7 días",
        "en": "*Actors* · stories over the last 7 days",
        "fr": "*Acteurs* · informations des 7 derniers jours",
    },
    "no_actor_stories": {
        "es": "Todavía no hay noticias sobre *{name}*. *seguir {id}* te avisa cuando llegue una.",
        "en": "No stories about *{name}* yet. *follow {id}* sends an alert when one comes in.",
        "fr": "Pas encore d'informations sur *{name}*. *suivre {id}* vous alerte dès qu'une "
              "arrive.",
    },
    "actor_heading": {
        "es": "{name} — lo último ({window})",
        "en": "{name} — the latest ({window})",
        "fr": "{name} — le plus récent ({window})",
    },
    "empty": {
        "es": "Nada nuevo en {window}. Lo último llegó: {when}.",
        "en": "No new stories in {window}. The last item came in: {when}.",
        "fr": "Rien de nouveau en {window}. Le dernier article est arrivé : {when}.",
    },
    "empty_never": {
        "es": "Nada nuevo en {window}: todavía no ha llegado nada.",
        "en": "No new stories in {window}: nothing has come in yet.",
        "fr": "Rien de nouveau en {window} : rien n'est encore arrivé.",
    },
    "too_long": {
        "es": "Es demasiado largo ({n} caracteres; leo hasta {limit}).",
        "en": "That is too long ({n} characters; I read up to {limit}).",
        "fr": "C'est trop long ({n} caractères ; je lis jusqu'à {limit}).",
    },
}


def say(key: str, language: str | None, **values: object) -> str:
    """The text `key` in `language` (Spanish when unknown), as plain words: `*` marks dropped."""
    return "\n".join("".join(span.text for span in p.spans)
                     for p in paragraphs(key, language, **values))


def paragraphs(key: str, language: str | None, **values: object) -> tuple[Paragraph, ...]:
    """The text `key` in `language` (Spanish when unknown), one paragraph a line, its `*…*`
    bold. `values` are filled in after the markup is read: a name with a star in it stays a
    name, and the renderer makes it safe like any other text."""
    template = _TEXTS[key][language if language in LANGUAGES else DEFAULT]
    return tuple(
        Paragraph(spans=tuple(
            Span(piece.format(**values), "bold" if index % 2 else "")
            for index, piece in enumerate(_BOLD.split(line)) if piece
        ) or (Span(""),))
        for line in template.split("\n")
    )


_BOLD = re.compile(r"\*([^*\n]+)\*")
