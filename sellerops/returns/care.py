"""The care-script library: what a person says to a VIP customer about their return, by the
marketplace's language, with a formal and an informal register for German.

A script is chosen by the marketplace's locale (Amazon.de → German, Amazon.fr → French, …); German
takes the policy's register (`de-formal` by default). The person doing the care task sees both
German variants, so the register can be changed on the call. Texts name the RMA and the product,
never the buyer: sellerops does not know their name and keeps no e-mail.
"""

from __future__ import annotations

from sellerops.core.marketplaces import marketplace

SCRIPTS: dict[str, str] = {
    "en": ("Thank you for being a loyal customer. We have received your return request {rma_id} for {item}. "
           "We are sorry it did not work out; your label is ready and we will refund you as soon as the item "
           "reaches us. If a replacement would help, just tell us and we will send it right away."),
    "de-formal": ("Vielen Dank für Ihre Treue. Wir haben Ihre Rücksendeanfrage {rma_id} für {item} erhalten. "
                  "Es tut uns leid, dass der Artikel nicht gepasst hat; Ihr Rücksendeetikett liegt bereit, und wir "
                  "erstatten Ihnen den Betrag, sobald der Artikel bei uns eingetroffen ist. Wünschen Sie Ersatz, "
                  "senden wir ihn Ihnen gern sofort zu."),
    "de-informal": ("Danke, dass du uns treu bist! Wir haben deine Rücksendeanfrage {rma_id} für {item} erhalten. "
                    "Schade, dass es nicht gepasst hat; dein Rücksendeetikett ist fertig, und du bekommst dein Geld "
                    "zurück, sobald der Artikel bei uns ist. Möchtest du lieber Ersatz? Sag einfach Bescheid."),
    "fr": ("Merci pour votre fidélité. Nous avons bien reçu votre demande de retour {rma_id} pour {item}. "
           "Nous sommes désolés que l'article ne vous convienne pas ; votre étiquette est prête et nous vous "
           "rembourserons dès réception. Si vous préférez un remplacement, dites-le-nous."),
    "es": ("Gracias por su fidelidad. Hemos recibido su solicitud de devolución {rma_id} de {item}. Sentimos que "
           "no haya funcionado; su etiqueta está lista y le reembolsaremos en cuanto recibamos el artículo. "
           "Si prefiere un reemplazo, indíquenoslo."),
    "it": ("Grazie per la sua fedeltà. Abbiamo ricevuto la sua richiesta di reso {rma_id} per {item}. Ci dispiace "
           "che non sia andato bene; l'etichetta è pronta e la rimborseremo appena l'articolo ci arriverà. "
           "Se preferisce una sostituzione, ce lo dica."),
    "ja": ("いつもご利用いただきありがとうございます。{item} の返品リクエスト {rma_id} を承りました。"
           "ご期待に沿えず申し訳ございません。返品ラベルをご用意しましたので、商品到着後すぐに返金いたします。"
           "交換をご希望の場合はお知らせください。"),
    "nl": ("Bedankt voor uw trouw. We hebben uw retourverzoek {rma_id} voor {item} ontvangen. Het spijt ons dat het "
           "niet paste; uw retourlabel staat klaar en we betalen u terug zodra het artikel bij ons is."),
}
GERMAN = ("de-formal", "de-informal")


def script_key(marketplace_name: str | None, german_register: str = "de-formal") -> str:
    """The library's key for a marketplace: its locale's language, German in the policy's register,
    English where the library has no script in the language."""
    language = (marketplace(marketplace_name).locale or "en").split("_")[0]
    if language == "de":
        return german_register
    return language if language in SCRIPTS else "en"


def scripts_shown(key: str) -> dict[str, str]:
    """The scripts a person sees for `key`: both German registers for a German one, else the one."""
    return {k: SCRIPTS[k] for k in GERMAN} if key in GERMAN else {key: SCRIPTS[key]}


def render(key: str, rma_id: str, item: str) -> str:
    return SCRIPTS[key].format(rma_id=rma_id, item=item)
