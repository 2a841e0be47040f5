"""Events told several ways, written for Vigía's story tests: the source of tests/data/story_pairs.jsonl.

Each event is told in Spanish, English and French (each version with a second headline an outlet
might give the same wire copy), and once more in Spanish in other words (a paraphrase: another
outlet's own report of the same facts). Events come in families of three that share actors, places
and the day but are different news: the hard negatives. Families marked `held_out` are never used
to choose thresholds; bench/stories.py reports them apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Version:
    """One outlet's telling: its headline, a second headline for the same copy, and its text."""

    title: str
    alt_title: str
    text: str


@dataclass(frozen=True, slots=True)
class Event:
    """One piece of news, told four ways."""

    id: str
    family: str
    day: str  # ISO date; every event of a family happens the same day
    hour: int  # UTC hour of the first report
    es: Version
    en: Version
    fr: Version
    es_other: Version  # the same facts in other Spanish words (alt_title unused)


# Sentences outlets add under a wire copy: a copy with one of these is still the copy.
ADDED = {
    "es": (
        "Esta información está en desarrollo y será ampliada.",
        "Con información de agencias.",
        "Síguenos en nuestro canal para más noticias.",
    ),
    "en": (
        "This story is developing and will be updated.",
        "Reporting by our correspondents; editing by the night desk.",
        "Follow our channel for more news.",
    ),
    "fr": (
        "Cette information est en cours d'actualisation.",
        "Avec les agences.",
        "Suivez notre chaîne pour plus d'informations.",
    ),
}

HELD_OUT = frozenset({"delcy", "esequibo", "aragua"})

EVENTS: tuple[Event, ...] = (
    # --- family: maduro, 2 November ------------------------------------------------------------
    Event(
        "maduro-bonus", "maduro", "2026-11-02", 13,
        es=Version(
            "Maduro sube a 40 dólares el bono de alimentación",
            "El Gobierno eleva el cestaticket: ahora serán 40 dólares",
            "El presidente Nicolás Maduro anunció este lunes que el bono de alimentación de los "
            "trabajadores públicos pasará de 30 a 40 dólares a partir del 15 de noviembre. El "
            "anuncio se hizo en cadena nacional desde el Palacio de Miraflores, en Caracas, y "
            "beneficiará a unos 4,5 millones de empleados, según el mandatario.",
        ),
        en=Version(
            "Maduro raises Venezuela's food bonus to $40",
            "Venezuelan public workers to get bigger food allowance",
            "Venezuelan President Nicolás Maduro said on Monday that the food bonus paid to "
            "public sector workers will rise from $30 to $40 starting on November 15. Speaking "
            "in a national broadcast from Miraflores Palace in Caracas, he said the increase "
            "would reach some 4.5 million employees.",
        ),
        fr=Version(
            "Venezuela : Maduro relève le bon alimentaire à 40 dollars",
            "Les fonctionnaires vénézuéliens toucheront un bon alimentaire plus élevé",
            "Le président vénézuélien Nicolás Maduro a annoncé lundi que le bon alimentaire des "
            "fonctionnaires passera de 30 à 40 dollars à compter du 15 novembre. Lors d'une "
            "allocution depuis le palais de Miraflores, à Caracas, il a affirmé que la mesure "
            "concernerait environ 4,5 millions de salariés.",
        ),
        es_other=Version(
            "Cestaticket de empleados públicos aumenta diez dólares",
            "",
            "Los 4,5 millones de trabajadores de la administración pública cobrarán 40 dólares "
            "de cestaticket desde el 15 de noviembre, diez más que ahora. Lo dijo Nicolás Maduro "
            "durante una transmisión obligatoria desde Miraflores, donde no precisó de dónde "
            "saldrán los fondos para cubrir el aumento.",
        ),
    ),
    Event(
        "maduro-china", "maduro", "2026-11-02", 16,
        es=Version(
            "Maduro firma 12 acuerdos petroleros con China",
            "Venezuela y China sellan una docena de convenios energéticos",
            "Nicolás Maduro recibió este lunes en Caracas al viceprimer ministro chino Ding "
            "Xuexiang y firmó con él 12 acuerdos de cooperación en petróleo, gas y minería. "
            "Según la Cancillería, los convenios incluyen la reparación de dos mejoradores de "
            "crudo en la Faja del Orinoco por 600 millones de dólares.",
        ),
        en=Version(
            "Maduro signs 12 oil deals with China",
            "China and Venezuela sign a dozen energy agreements in Caracas",
            "Nicolás Maduro hosted Chinese Vice Premier Ding Xuexiang in Caracas on Monday and "
            "signed 12 cooperation agreements on oil, gas and mining. The foreign ministry said "
            "the deals include the repair of two crude upgraders in the Orinoco Belt, worth 600 "
            "million dollars.",
        ),
        fr=Version(
            "Maduro signe 12 accords pétroliers avec la Chine",
            "Pékin et Caracas concluent une douzaine d'accords énergétiques",
            "Nicolás Maduro a reçu lundi à Caracas le vice-Premier ministre chinois Ding Xuexiang "
            "et a signé avec lui 12 accords de coopération dans le pétrole, le gaz et les mines. "
            "Selon la diplomatie vénézuélienne, ils prévoient la réparation de deux unités de "
            "valorisation de brut dans la ceinture de l'Orénoque, pour 600 millions de dollars.",
        ),
        es_other=Version(
            "Pekín reparará dos mejoradores de la Faja por 600 millones",
            "",
            "La visita del número dos del gobierno chino, Ding Xuexiang, terminó con una docena "
            "de convenios firmados junto a Nicolás Maduro en Caracas. El más costoso, de 600 "
            "millones de dólares, pondrá otra vez en marcha dos mejoradores de la Faja del "
            "Orinoco, informó la Cancillería venezolana.",
        ),
    ),
    Event(
        "maduro-barinas", "maduro", "2026-11-02", 20,
        es=Version(
            "Maduro acusa a Colombia de dar refugio a mercenarios",
            "Desde Barinas, Maduro arremete contra Bogotá",
            "En un acto del PSUV en Barinas, Nicolás Maduro acusó al gobierno de Colombia de "
            "permitir que grupos de mercenarios se entrenen cerca de la frontera para atacar "
            "Venezuela. El mandatario aseguró que la FANB desplegará 3.000 efectivos adicionales "
            "en Apure y Táchira durante las próximas semanas.",
        ),
        en=Version(
            "Maduro accuses Colombia of sheltering mercenaries",
            "At Barinas rally, Maduro lashes out at Bogotá",
            "Speaking at a PSUV rally in Barinas, Nicolás Maduro accused Colombia's government "
            "of letting mercenary groups train near the border to attack Venezuela. He said the "
            "armed forces would send 3,000 more troops to Apure and Táchira in the coming weeks.",
        ),
        fr=Version(
            "Maduro accuse la Colombie d'abriter des mercenaires",
            "Depuis Barinas, Maduro s'en prend à Bogota",
            "Lors d'un meeting du PSUV à Barinas, Nicolás Maduro a accusé le gouvernement "
            "colombien de laisser des groupes de mercenaires s'entraîner près de la frontière "
            "pour attaquer le Venezuela. Il a annoncé l'envoi de 3 000 militaires "
            "supplémentaires dans les États d'Apure et de Táchira dans les prochaines semaines.",
        ),
        es_other=Version(
            "Tres mil soldados más a la frontera tras denuncia contra Colombia",
            "",
            "La Fuerza Armada enviará 3.000 efectivos más a Apure y Táchira, anunció Nicolás "
            "Maduro ante militantes del PSUV reunidos en Barinas. El jefe de Estado sostuvo que "
            "del lado colombiano de la frontera entrenan mercenarios con la tolerancia de las "
            "autoridades de ese país.",
        ),
    ),
    # --- family: cabello, 3 November -----------------------------------------------------------
    Event(
        "cabello-plot", "cabello", "2026-11-03", 12,
        es=Version(
            "Cabello anuncia 14 detenidos por plan contra planta eléctrica en Zulia",
            "Desmantelan supuesta conspiración contra el sistema eléctrico zuliano",
            "El ministro de Interior, Diosdado Cabello, informó que 14 personas fueron "
            "detenidas en Maracaibo acusadas de planear un sabotaje contra la planta "
            "termoeléctrica Ramón Laguna. Cabello dijo que a los detenidos se les incautaron "
            "explosivos y que dos de ellos son exfuncionarios de Corpoelec.",
        ),
        en=Version(
            "Cabello announces 14 arrests over plot against Zulia power plant",
            "Venezuela says it foiled sabotage of Maracaibo power station",
            "Interior Minister Diosdado Cabello said 14 people were arrested in Maracaibo, "
            "accused of planning to sabotage the Ramón Laguna thermal power plant. Cabello said "
            "explosives were seized from the suspects and that two of them are former employees "
            "of the state power company Corpoelec.",
        ),
        fr=Version(
            "Cabello annonce 14 arrestations pour un complot contre une centrale du Zulia",
            "Le Venezuela dit avoir déjoué un sabotage électrique à Maracaibo",
            "Le ministre de l'Intérieur Diosdado Cabello a indiqué que 14 personnes ont été "
            "arrêtées à Maracaibo, soupçonnées de préparer le sabotage de la centrale thermique "
            "Ramón Laguna. Selon lui, des explosifs ont été saisis et deux des suspects sont "
            "d'anciens employés de Corpoelec.",
        ),
        es_other=Version(
            "Exempleados de Corpoelec entre los 14 presos por sabotaje en Maracaibo",
            "",
            "Catorce personas quedaron presas en Maracaibo por, según Diosdado Cabello, preparar "
            "un atentado con explosivos contra la termoeléctrica Ramón Laguna. Dos de ellas "
            "trabajaron antes en Corpoelec, detalló el titular de Interior en su rueda de prensa "
            "semanal.",
        ),
    ),
    Event(
        "cabello-cocaine", "cabello", "2026-11-03", 15,
        es=Version(
            "Incautan tres toneladas de cocaína en Apure, según Cabello",
            "Golpe al narcotráfico en Apure: tres toneladas decomisadas",
            "Diosdado Cabello informó que la FANB incautó 3,2 toneladas de cocaína en una "
            "pista clandestina del municipio Páez, en Apure, cerca de la frontera con Colombia. "
            "En la operación fueron destruidas dos avionetas y detenidas cinco personas, añadió "
            "el ministro de Interior.",
        ),
        en=Version(
            "Venezuela seizes three tonnes of cocaine in Apure, Cabello says",
            "Venezuelan troops find 3.2 tonnes of cocaine at Apure airstrip",
            "Diosdado Cabello said the armed forces seized 3.2 tonnes of cocaine at a clandestine "
            "airstrip in Páez municipality, Apure state, near the Colombian border. Two light "
            "aircraft were destroyed and five people were detained in the operation, the "
            "interior minister added.",
        ),
        fr=Version(
            "Venezuela : saisie de trois tonnes de cocaïne dans l'Apure, selon Cabello",
            "L'armée vénézuélienne saisit 3,2 tonnes de cocaïne près de la Colombie",
            "Diosdado Cabello a annoncé la saisie par les forces armées de 3,2 tonnes de cocaïne "
            "sur une piste clandestine de la municipalité de Páez, dans l'État d'Apure, près de "
            "la frontière colombienne. Deux avionnettes ont été détruites et cinq personnes "
            "arrêtées, a ajouté le ministre de l'Intérieur.",
        ),
        es_other=Version(
            "Cinco detenidos y dos avionetas destruidas en pista clandestina de Páez",
            "",
            "Militares venezolanos hallaron 3,2 toneladas de cocaína en una pista ilegal de Páez, "
            "estado Apure, a pocos kilómetros de Colombia. Cabello, que dio la noticia, contó que "
            "cinco hombres fueron arrestados y que las dos aeronaves encontradas en el lugar "
            "fueron inutilizadas.",
        ),
    ),
    Event(
        "cabello-checkpoints", "cabello", "2026-11-03", 19,
        es=Version(
            "Cabello anuncia 120 nuevos puntos de control en Caracas para diciembre",
            "Más alcabalas en la capital durante las fiestas",
            "El ministro Diosdado Cabello anunció el despliegue de 120 nuevos puntos de control "
            "policial en Caracas a partir del 1 de diciembre, como parte del plan de seguridad "
            "para las fiestas. Participarán 8.000 funcionarios de la PNB y de las policías "
            "municipales, precisó.",
        ),
        en=Version(
            "Cabello announces 120 new police checkpoints in Caracas for the holidays",
            "Caracas to see more checkpoints in December",
            "Interior Minister Diosdado Cabello announced 120 new police checkpoints across "
            "Caracas starting December 1, as part of the holiday security plan. He said 8,000 "
            "officers from the national and municipal police forces would take part.",
        ),
        fr=Version(
            "Cabello annonce 120 nouveaux points de contrôle à Caracas pour les fêtes",
            "Plus de contrôles policiers à Caracas en décembre",
            "Le ministre Diosdado Cabello a annoncé l'installation de 120 nouveaux points de "
            "contrôle policier à Caracas à partir du 1er décembre, dans le cadre du plan de "
            "sécurité des fêtes. Quelque 8 000 policiers nationaux et municipaux y participeront.",
        ),
        es_other=Version(
            "Ocho mil policías vigilarán Caracas en las fiestas decembrinas",
            "",
            "Desde el 1 de diciembre habrá 120 alcabalas más en la capital, dijo Diosdado "
            "Cabello al presentar el plan navideño de seguridad. En él trabajarán 8.000 agentes "
            "de la Policía Nacional Bolivariana y de los cuerpos municipales.",
        ),
    ),
    # --- family: machado, 4 November -----------------------------------------------------------
    Event(
        "machado-protests", "machado", "2026-11-04", 11,
        es=Version(
            "María Corina Machado convoca protestas el sábado en 20 ciudades",
            "La oposición vuelve a la calle este sábado",
            "La líder opositora María Corina Machado convocó a manifestaciones el sábado 7 de "
            "noviembre en 20 ciudades de Venezuela para exigir la liberación de los presos "
            "políticos. En un video difundido en redes, pidió a sus seguidores concentrarse a "
            "las 10 de la mañana en las plazas principales.",
        ),
        en=Version(
            "María Corina Machado calls protests in 20 cities on Saturday",
            "Venezuela's opposition returns to the streets this weekend",
            "Opposition leader María Corina Machado called for demonstrations on Saturday, "
            "November 7, in 20 Venezuelan cities to demand the release of political prisoners. "
            "In a video posted online, she asked supporters to gather at 10 a.m. in main squares.",
        ),
        fr=Version(
            "María Corina Machado appelle à manifester samedi dans 20 villes",
            "L'opposition vénézuélienne de retour dans la rue samedi",
            "La cheffe de l'opposition María Corina Machado a appelé à manifester le samedi 7 "
            "novembre dans 20 villes du Venezuela pour exiger la libération des prisonniers "
            "politiques. Dans une vidéo, elle a demandé à ses partisans de se rassembler à 10 "
            "heures sur les places principales.",
        ),
        es_other=Version(
            "Machado pide llenar las plazas de 20 ciudades por los presos políticos",
            "",
            "Las plazas de 20 ciudades serán el punto de encuentro este sábado 7 de noviembre, "
            "a las 10 de la mañana, según el llamado que hizo María Corina Machado en redes "
            "sociales. La dirigente exige que el gobierno excarcele a quienes considera presos "
            "políticos.",
        ),
    ),
    Event(
        "machado-mulino", "machado", "2026-11-04", 15,
        es=Version(
            "Machado y Mulino conversan sobre los migrantes venezolanos en Panamá",
            "Mulino recibe a Machado por videoconferencia",
            "María Corina Machado sostuvo una videoconferencia con el presidente de Panamá, José "
            "Raúl Mulino, sobre la situación de los migrantes venezolanos varados en ese país. "
            "Según el equipo de Machado, Mulino ofreció regularizar a 25.000 venezolanos antes "
            "de marzo.",
        ),
        en=Version(
            "Machado and Mulino discuss Venezuelan migrants in Panama",
            "Panama's Mulino holds video call with Machado",
            "María Corina Machado held a video call with Panama's President José Raúl Mulino "
            "about Venezuelan migrants stranded in the country. Machado's team said Mulino "
            "offered to grant legal status to 25,000 Venezuelans before March.",
        ),
        fr=Version(
            "Machado et Mulino évoquent les migrants vénézuéliens au Panama",
            "Entretien en visioconférence entre Mulino et Machado",
            "María Corina Machado s'est entretenue par visioconférence avec le président "
            "panaméen José Raúl Mulino de la situation des migrants vénézuéliens bloqués dans le "
            "pays. Selon l'équipe de Machado, Mulino a proposé de régulariser 25 000 Vénézuéliens "
            "avant mars.",
        ),
        es_other=Version(
            "Panamá regularizaría a 25.000 venezolanos, dice el equipo de Machado",
            "",
            "Antes de marzo, unos 25.000 venezolanos que están atrapados en Panamá podrían tener "
            "papeles. Eso habría prometido José Raúl Mulino en una llamada por video con María "
            "Corina Machado, de acuerdo con los colaboradores de la opositora.",
        ),
    ),
    Event(
        "machado-arrest", "machado", "2026-11-04", 21,
        es=Version(
            "Machado denuncia la detención de su coordinador en Lara",
            "Detienen en Barquisimeto a dirigente de Vente Venezuela",
            "María Corina Machado denunció que funcionarios del SEBIN detuvieron en Barquisimeto "
            "a Luis Pérez, coordinador de Vente Venezuela en el estado Lara. Es el sexto "
            "dirigente de su partido arrestado en lo que va de noviembre, afirmó la opositora.",
        ),
        en=Version(
            "Machado says her Lara coordinator was detained",
            "Opposition organiser arrested in Barquisimeto",
            "María Corina Machado said SEBIN intelligence agents detained Luis Pérez, the Vente "
            "Venezuela coordinator in Lara state, in Barquisimeto. He is the sixth leader of her "
            "party arrested so far in November, she said.",
        ),
        fr=Version(
            "Machado dénonce l'arrestation de son coordinateur dans l'État de Lara",
            "Un responsable de Vente Venezuela arrêté à Barquisimeto",
            "María Corina Machado a dénoncé l'arrestation à Barquisimeto, par des agents du "
            "SEBIN, de Luis Pérez, coordinateur de Vente Venezuela dans l'État de Lara. C'est le "
            "sixième dirigeant de son parti arrêté depuis le début du mois de novembre, a-t-elle "
            "affirmé.",
        ),
        es_other=Version(
            "Sexto arresto de un dirigente de Vente Venezuela en noviembre",
            "",
            "Luis Pérez, quien coordinaba Vente Venezuela en Lara, fue llevado por agentes del "
            "SEBIN en Barquisimeto, contó María Corina Machado. Con él ya son seis los cuadros "
            "del partido detenidos en el mes, según la líder opositora.",
        ),
    ),
    # --- family: cne, 5 November ---------------------------------------------------------------
    Event(
        "cne-date", "cne", "2026-11-05", 12,
        es=Version(
            "El CNE fija las elecciones regionales para el 11 de abril de 2027",
            "Ya hay fecha para las regionales",
            "El Consejo Nacional Electoral fijó para el 11 de abril de 2027 las elecciones de "
            "gobernadores, alcaldes y consejos legislativos. El presidente del CNE, Carlos "
            "Quintero, dijo que el registro de candidaturas abrirá el 10 de enero y que se "
            "instalarán 15.800 centros de votación.",
        ),
        en=Version(
            "Venezuela's CNE sets regional elections for April 11, 2027",
            "Date set for Venezuela's regional vote",
            "Venezuela's National Electoral Council set April 11, 2027, as the date for "
            "elections of governors, mayors and state legislatures. CNE president Carlos "
            "Quintero said candidate registration would open on January 10 and that 15,800 "
            "polling centres would be set up.",
        ),
        fr=Version(
            "Le CNE fixe les élections régionales au 11 avril 2027",
            "Les régionales vénézuéliennes ont une date",
            "Le Conseil national électoral vénézuélien a fixé au 11 avril 2027 les élections des "
            "gouverneurs, des maires et des conseils législatifs. Son président, Carlos Quintero, "
            "a précisé que l'inscription des candidats ouvrira le 10 janvier et que 15 800 "
            "bureaux de vote seront installés.",
        ),
        es_other=Version(
            "Gobernadores y alcaldes se elegirán el 11 de abril de 2027",
            "",
            "Carlos Quintero, al frente del CNE, anunció que los venezolanos votarán por "
            "gobernadores, alcaldes y legisladores regionales el 11 de abril de 2027. Las "
            "postulaciones se recibirán desde el 10 de enero y habrá 15.800 centros habilitados.",
        ),
    ),
    Event(
        "cne-audit", "cne", "2026-11-05", 16,
        es=Version(
            "El CNE inicia la auditoría de las máquinas de votación",
            "Comienza revisión técnica del sistema electoral",
            "El CNE comenzó este jueves en Caracas la auditoría del software de las máquinas de "
            "votación, con técnicos de 8 partidos políticos. La revisión durará 12 días y "
            "abarcará 300 equipos escogidos al azar, informó el rector Carlos Quintero.",
        ),
        en=Version(
            "Venezuela's CNE begins audit of voting machines",
            "Technical review of Venezuela's voting system gets under way",
            "Venezuela's CNE began an audit of voting machine software in Caracas on Thursday "
            "with technicians from 8 political parties. The review will last 12 days and cover "
            "300 randomly chosen machines, electoral authority head Carlos Quintero said.",
        ),
        fr=Version(
            "Le CNE lance l'audit des machines à voter",
            "Début de la révision technique du système électoral vénézuélien",
            "Le CNE a lancé jeudi à Caracas l'audit du logiciel des machines à voter, avec des "
            "techniciens de 8 partis politiques. L'examen durera 12 jours et portera sur 300 "
            "machines tirées au sort, a indiqué Carlos Quintero.",
        ),
        es_other=Version(
            "Técnicos de ocho partidos revisan 300 máquinas del CNE",
            "",
            "Trescientas máquinas de votación tomadas al azar serán examinadas durante 12 días "
            "por expertos de 8 organizaciones políticas, en una auditoría que arrancó el jueves "
            "en la sede del CNE en Caracas, según Carlos Quintero.",
        ),
    ),
    Event(
        "cne-parties", "cne", "2026-11-05", 20,
        es=Version(
            "El CNE rechaza la inscripción de tres partidos opositores",
            "Tres partidos de oposición quedan fuera del registro electoral",
            "El Consejo Nacional Electoral negó la inscripción de tres partidos de oposición "
            "para las elecciones regionales, al considerar que no reunieron las 40.000 firmas "
            "exigidas. Los partidos anunciaron que recurrirán la decisión ante el Tribunal "
            "Supremo de Justicia.",
        ),
        en=Version(
            "Venezuela's CNE rejects registration of three opposition parties",
            "Three opposition parties barred from Venezuela's regional vote",
            "Venezuela's National Electoral Council refused to register three opposition parties "
            "for the regional elections, saying they failed to gather the required 40,000 "
            "signatures. The parties said they would appeal to the Supreme Court.",
        ),
        fr=Version(
            "Le CNE refuse l'inscription de trois partis d'opposition",
            "Trois partis d'opposition exclus des régionales au Venezuela",
            "Le Conseil national électoral a refusé l'inscription de trois partis d'opposition "
            "aux élections régionales, estimant qu'ils n'avaient pas réuni les 40 000 signatures "
            "exigées. Les partis ont annoncé un recours devant le Tribunal suprême de justice.",
        ),
        es_other=Version(
            "Sin las 40.000 firmas, tres partidos no podrán ir a las regionales",
            "",
            "Tres organizaciones opositoras no aparecerán en el tarjetón de las regionales: el "
            "CNE dice que ninguna juntó las 40.000 firmas de rigor. Sus dirigentes llevarán el "
            "caso al TSJ.",
        ),
    ),
    # --- family: pdvsa, 6 November -------------------------------------------------------------
    Event(
        "pdvsa-fire", "pdvsa", "2026-11-06", 8,
        es=Version(
            "Incendio en la refinería El Palito deja dos trabajadores heridos",
            "Fuego en El Palito obliga a detener una unidad",
            "Un incendio en la unidad de craqueo catalítico de la refinería El Palito, en "
            "Carabobo, dejó dos trabajadores con quemaduras leves, informó PDVSA. La empresa "
            "indicó que el fuego fue controlado en 3 horas y que la unidad permanecerá detenida "
            "mientras se evalúan los daños.",
        ),
        en=Version(
            "Fire at Venezuela's El Palito refinery injures two workers",
            "Blaze halts unit at PDVSA's El Palito plant",
            "A fire at the catalytic cracking unit of the El Palito refinery in Carabobo state "
            "left two workers with minor burns, PDVSA said. The company said the blaze was put "
            "out within 3 hours and the unit will stay shut while damage is assessed.",
        ),
        fr=Version(
            "Incendie à la raffinerie d'El Palito : deux ouvriers blessés",
            "Une unité de la raffinerie d'El Palito à l'arrêt après un incendie",
            "Un incendie dans l'unité de craquage catalytique de la raffinerie d'El Palito, dans "
            "l'État de Carabobo, a fait deux blessés légers parmi les ouvriers, selon PDVSA. Le "
            "feu a été maîtrisé en 3 heures et l'unité restera à l'arrêt le temps d'évaluer les "
            "dégâts.",
        ),
        es_other=Version(
            "Dos quemados en El Palito; la craqueadora, paralizada",
            "",
            "Tres horas tardaron los bomberos de PDVSA en apagar las llamas que alcanzaron la "
            "craqueadora catalítica de El Palito, estado Carabobo. Dos operarios sufrieron "
            "quemaduras menores y la unidad no volverá a arrancar hasta que se revisen los daños.",
        ),
    ),
    Event(
        "pdvsa-exports", "pdvsa", "2026-11-06", 13,
        es=Version(
            "Las exportaciones de PDVSA suben a 910.000 barriles diarios en octubre",
            "Venezuela exporta más crudo en octubre",
            "Las exportaciones de petróleo de PDVSA alcanzaron en octubre un promedio de 910.000 "
            "barriles diarios, un 7 % más que en septiembre, según documentos de la empresa. "
            "China recibió el 60 % de los envíos, seguida de Estados Unidos y la India.",
        ),
        en=Version(
            "PDVSA oil exports rise to 910,000 barrels per day in October",
            "Venezuela's crude exports climb in October",
            "Oil exports by PDVSA averaged 910,000 barrels per day in October, up 7% from "
            "September, according to company documents. China took 60% of the shipments, "
            "followed by the United States and India.",
        ),
        fr=Version(
            "Les exportations de PDVSA montent à 910 000 barils par jour en octobre",
            "Le Venezuela exporte davantage de brut en octobre",
            "Les exportations de pétrole de PDVSA ont atteint en octobre une moyenne de 910 000 "
            "barils par jour, soit 7 % de plus qu'en septembre, selon des documents de la "
            "compagnie. La Chine a reçu 60 % des cargaisons, devant les États-Unis et l'Inde.",
        ),
        es_other=Version(
            "China se llevó el 60 % del crudo venezolano vendido en octubre",
            "",
            "Venezuela despachó en promedio 910.000 barriles por día el mes pasado, 7 % por "
            "encima del nivel de septiembre, revelan registros internos de PDVSA. Detrás de "
            "China, los principales compradores fueron Estados Unidos e India.",
        ),
    ),
    Event(
        "pdvsa-drilling", "pdvsa", "2026-11-06", 18,
        es=Version(
            "PDVSA y Chevron reactivarán la perforación de 40 pozos en la Faja",
            "Acuerdo para volver a perforar en Petropiar",
            "PDVSA y Chevron acordaron reactivar la perforación de 40 pozos en la empresa mixta "
            "Petropiar, en la Faja del Orinoco, con una inversión de 350 millones de dólares. "
            "Los trabajos comenzarán en enero y podrían añadir 50.000 barriles diarios a la "
            "producción, según el Ministerio de Petróleo.",
        ),
        en=Version(
            "PDVSA and Chevron to resume drilling 40 wells in the Orinoco Belt",
            "Chevron deal revives drilling at Petropiar",
            "PDVSA and Chevron agreed to resume drilling 40 wells at the Petropiar joint venture "
            "in the Orinoco Belt, with an investment of 350 million dollars. Work will start in "
            "January and could add 50,000 barrels per day of output, the oil ministry said.",
        ),
        fr=Version(
            "PDVSA et Chevron relancent le forage de 40 puits dans l'Orénoque",
            "Accord pour reprendre les forages chez Petropiar",
            "PDVSA et Chevron ont convenu de relancer le forage de 40 puits au sein de la "
            "coentreprise Petropiar, dans la ceinture de l'Orénoque, pour 350 millions de "
            "dollars. Les travaux débuteront en janvier et pourraient ajouter 50 000 barils par "
            "jour à la production, selon le ministère du Pétrole.",
        ),
        es_other=Version(
            "Petropiar sumaría 50.000 barriles diarios con 40 pozos nuevos",
            "",
            "Chevron pondrá junto a PDVSA 350 millones de dólares para volver a perforar 40 "
            "pozos de Petropiar, en la Faja del Orinoco. El ministerio del área calcula que desde "
            "enero la empresa mixta podría bombear 50.000 barriles más al día.",
        ),
    ),
    # --- family: saab, 9 November --------------------------------------------------------------
    Event(
        "saab-sidor", "saab", "2026-11-09", 12,
        es=Version(
            "Tarek William Saab imputa a cinco gerentes de Sidor por corrupción",
            "Fiscalía acusa a exdirectivos de la siderúrgica Sidor",
            "El fiscal general Tarek William Saab anunció la imputación de cinco gerentes de la "
            "Siderúrgica del Orinoco por la venta irregular de 90.000 toneladas de acero. El "
            "daño patrimonial supera los 70 millones de dólares, dijo Saab en Caracas.",
        ),
        en=Version(
            "Tarek William Saab charges five Sidor managers with corruption",
            "Venezuela prosecutors charge former steelworks executives",
            "Attorney General Tarek William Saab announced charges against five managers of the "
            "state steelmaker Sidor over the irregular sale of 90,000 tonnes of steel. The loss "
            "to the state exceeds 70 million dollars, Saab said in Caracas.",
        ),
        fr=Version(
            "Tarek William Saab inculpe cinq cadres de Sidor pour corruption",
            "Le parquet vénézuélien poursuit d'anciens dirigeants de Sidor",
            "Le procureur général Tarek William Saab a annoncé l'inculpation de cinq cadres de "
            "l'aciérie publique Sidor pour la vente irrégulière de 90 000 tonnes d'acier. Le "
            "préjudice dépasse 70 millions de dollars, a déclaré Saab à Caracas.",
        ),
        es_other=Version(
            "Venta irregular de 90.000 toneladas de acero lleva a juicio a gerentes",
            "",
            "Cinco gerentes de Sidor deberán responder ante tribunales por vender de forma "
            "irregular 90.000 toneladas de acero, con un perjuicio de más de 70 millones de "
            "dólares, según la acusación presentada por Tarek William Saab.",
        ),
    ),
    Event(
        "saab-lopez", "saab", "2026-11-09", 16,
        es=Version(
            "Saab pide a España la extradición de Leopoldo López",
            "Fiscalía venezolana solicita extraditar a Leopoldo López",
            "El fiscal Tarek William Saab informó que Venezuela envió a España una solicitud de "
            "extradición contra Leopoldo López, a quien acusa de financiar el ataque informático "
            "contra el CNE. La petición fue entregada a la embajada española en Caracas.",
        ),
        en=Version(
            "Saab asks Spain to extradite Leopoldo López",
            "Venezuela seeks Leopoldo López's extradition from Spain",
            "Attorney General Tarek William Saab said Venezuela had sent Spain an extradition "
            "request for Leopoldo López, whom he accuses of financing the cyberattack on the "
            "CNE. The request was delivered to the Spanish embassy in Caracas.",
        ),
        fr=Version(
            "Saab demande à l'Espagne l'extradition de Leopoldo López",
            "Caracas réclame l'extradition de Leopoldo López",
            "Le procureur Tarek William Saab a indiqué que le Venezuela avait adressé à l'Espagne "
            "une demande d'extradition visant Leopoldo López, qu'il accuse d'avoir financé la "
            "cyberattaque contre le CNE. La demande a été remise à l'ambassade d'Espagne à "
            "Caracas.",
        ),
        es_other=Version(
            "Caracas quiere que Madrid entregue a Leopoldo López",
            "",
            "La embajada de España en Caracas recibió el pedido formal para que Leopoldo López "
            "sea enviado a Venezuela. Tarek William Saab lo señala como financista del hackeo "
            "al sistema del CNE.",
        ),
    ),
    Event(
        "saab-homicides", "saab", "2026-11-09", 20,
        es=Version(
            "Saab: los homicidios bajaron 18 % en lo que va de año",
            "Fiscalía presenta balance de criminalidad",
            "Tarek William Saab presentó un balance según el cual los homicidios en Venezuela "
            "bajaron un 18 % entre enero y octubre frente al mismo periodo del año pasado. El "
            "fiscal atribuyó la caída a 2.400 órdenes de captura ejecutadas contra bandas.",
        ),
        en=Version(
            "Saab says homicides in Venezuela fell 18% this year",
            "Venezuela's attorney general presents crime figures",
            "Tarek William Saab presented figures showing homicides in Venezuela fell 18% from "
            "January to October compared with the same period last year. He credited 2,400 "
            "arrest warrants carried out against gangs.",
        ),
        fr=Version(
            "Saab : les homicides ont reculé de 18 % cette année",
            "Le procureur vénézuélien présente son bilan de la criminalité",
            "Tarek William Saab a présenté un bilan selon lequel les homicides au Venezuela ont "
            "baissé de 18 % entre janvier et octobre par rapport à la même période de l'an "
            "dernier. Il attribue ce recul à 2 400 mandats d'arrêt exécutés contre des gangs.",
        ),
        es_other=Version(
            "Fiscal atribuye a 2.400 capturas la caída de los homicidios",
            "",
            "De enero a octubre hubo 18 % menos asesinatos que en igual lapso del año anterior, "
            "sostuvo Tarek William Saab al presentar cifras de su despacho. Según él, la "
            "diferencia la hicieron 2.400 órdenes de aprehensión cumplidas contra bandas.",
        ),
    ),
    # --- family: washington, 10 November -------------------------------------------------------
    Event(
        "us-license", "washington", "2026-11-10", 14,
        es=Version(
            "Estados Unidos prorroga seis meses la licencia de Chevron en Venezuela",
            "Washington renueva el permiso petrolero de Chevron",
            "El Departamento del Tesoro de Estados Unidos prorrogó por seis meses la licencia "
            "que permite a Chevron operar en Venezuela, hasta el 10 de mayo. La Casa Blanca "
            "dijo que revisará la medida si el gobierno de Nicolás Maduro no avanza en la "
            "negociación política.",
        ),
        en=Version(
            "US extends Chevron's Venezuela license by six months",
            "Washington renews Chevron's oil permit",
            "The US Treasury extended by six months the license that lets Chevron operate in "
            "Venezuela, until May 10. The White House said it would review the decision if "
            "Nicolás Maduro's government makes no progress in political talks.",
        ),
        fr=Version(
            "Les États-Unis prolongent de six mois la licence de Chevron au Venezuela",
            "Washington renouvelle le permis pétrolier de Chevron",
            "Le Trésor américain a prolongé de six mois, jusqu'au 10 mai, la licence qui permet à "
            "Chevron d'opérer au Venezuela. La Maison Blanche a prévenu qu'elle reverrait la "
            "mesure si le gouvernement de Nicolás Maduro ne progresse pas dans les négociations "
            "politiques.",
        ),
        es_other=Version(
            "Chevron podrá seguir en Venezuela hasta el 10 de mayo",
            "",
            "Washington le dio medio año más a Chevron: el Tesoro extendió su permiso para "
            "trabajar en Venezuela hasta el 10 de mayo. Desde la Casa Blanca advirtieron que lo "
            "reconsiderarán si Maduro no mueve ficha en el diálogo con la oposición.",
        ),
    ),
    Event(
        "us-deportation", "washington", "2026-11-10", 17,
        es=Version(
            "Llega a Maiquetía un vuelo con 180 venezolanos deportados de Estados Unidos",
            "Nuevo vuelo de repatriación aterriza en Maiquetía",
            "Un avión con 180 venezolanos deportados desde Estados Unidos aterrizó este martes "
            "en el aeropuerto de Maiquetía, procedente de El Paso, Texas. Es el cuarto vuelo de "
            "repatriación de noviembre, informó el gobierno de Nicolás Maduro.",
        ),
        en=Version(
            "Flight with 180 Venezuelans deported from US lands at Maiquetía",
            "Another deportation flight arrives in Venezuela",
            "A plane carrying 180 Venezuelans deported from the United States landed on Tuesday "
            "at Maiquetía airport, coming from El Paso, Texas. It was the fourth repatriation "
            "flight of November, Nicolás Maduro's government said.",
        ),
        fr=Version(
            "Un vol avec 180 Vénézuéliens expulsés des États-Unis atterrit à Maiquetía",
            "Nouveau vol de rapatriement vers le Venezuela",
            "Un avion transportant 180 Vénézuéliens expulsés des États-Unis a atterri mardi à "
            "l'aéroport de Maiquetía, en provenance d'El Paso, au Texas. C'est le quatrième vol "
            "de rapatriement du mois de novembre, selon le gouvernement de Nicolás Maduro.",
        ),
        es_other=Version(
            "Cuarto vuelo de deportados del mes: 180 pasajeros desde El Paso",
            "",
            "Procedentes de El Paso, Texas, 180 migrantes venezolanos expulsados por Washington "
            "bajaron el martes en Maiquetía. El gobierno de Maduro contabiliza ya cuatro vuelos "
            "de retorno en noviembre.",
        ),
    ),
    Event(
        "us-prisoners", "washington", "2026-11-10", 21,
        es=Version(
            "La Casa Blanca exige a Maduro liberar a 30 presos políticos",
            "Washington pide excarcelaciones antes de fin de año",
            "La Casa Blanca pidió al gobierno de Nicolás Maduro liberar antes del 31 de "
            "diciembre a 30 presos políticos, entre ellos 4 ciudadanos con doble nacionalidad "
            "estadounidense. El portavoz dijo que Estados Unidos no descarta nuevas sanciones.",
        ),
        en=Version(
            "White House demands Maduro free 30 political prisoners",
            "Washington calls for releases in Venezuela by year's end",
            "The White House asked Nicolás Maduro's government to release 30 political prisoners "
            "by December 31, including 4 dual US citizens. A spokesman said the United States "
            "did not rule out new sanctions.",
        ),
        fr=Version(
            "La Maison Blanche exige de Maduro la libération de 30 prisonniers politiques",
            "Washington réclame des libérations avant la fin de l'année",
            "La Maison Blanche a demandé au gouvernement de Nicolás Maduro de libérer d'ici le 31 "
            "décembre 30 prisonniers politiques, dont 4 binationaux américains. Un porte-parole "
            "a indiqué que les États-Unis n'excluaient pas de nouvelles sanctions.",
        ),
        es_other=Version(
            "Washington amenaza con sanciones si no salen 30 presos políticos",
            "",
            "Treinta detenidos por razones políticas, cuatro de ellos también estadounidenses, "
            "deben quedar libres antes del 31 de diciembre, reclamó la Casa Blanca a Nicolás "
            "Maduro. De lo contrario, Estados Unidos podría endurecer las sanciones.",
        ),
    ),
    # --- family: delcy (held out), 11 November -------------------------------------------------
    Event(
        "delcy-inflation", "delcy", "2026-11-11", 12,
        es=Version(
            "Delcy Rodríguez: la inflación de octubre fue de 3,1 %",
            "El Gobierno celebra la inflación más baja del año",
            "La vicepresidenta Delcy Rodríguez informó que la inflación de octubre fue de 3,1 %, "
            "la más baja del año, y que la acumulada desde enero llega a 48 %. Rodríguez "
            "atribuyó la cifra a la estabilidad del tipo de cambio.",
        ),
        en=Version(
            "Delcy Rodríguez says October inflation was 3.1%",
            "Venezuela hails lowest monthly inflation of the year",
            "Vice President Delcy Rodríguez said October inflation was 3.1%, the lowest this "
            "year, bringing the rise since January to 48%. Rodríguez credited a stable exchange "
            "rate.",
        ),
        fr=Version(
            "Delcy Rodríguez : l'inflation d'octobre a été de 3,1 %",
            "Caracas salue l'inflation mensuelle la plus basse de l'année",
            "La vice-présidente Delcy Rodríguez a indiqué que l'inflation d'octobre avait été de "
            "3,1 %, la plus faible de l'année, portant la hausse depuis janvier à 48 %. Elle "
            "l'attribue à la stabilité du taux de change.",
        ),
        es_other=Version(
            "Precios subieron 3,1 % en octubre, el menor ritmo de 2026",
            "",
            "Con un alza de 3,1 % en octubre, la inflación acumulada de enero a la fecha se ubica "
            "en 48 %, dijo Delcy Rodríguez. La vicepresidenta considera que la calma del dólar "
            "explica el resultado.",
        ),
    ),
    Event(
        "delcy-gas", "delcy", "2026-11-11", 16,
        es=Version(
            "Delcy Rodríguez firma con Trinidad y Tobago un acuerdo de gas",
            "Venezuela venderá gas del campo Dragón a Trinidad",
            "Delcy Rodríguez y el primer ministro de Trinidad y Tobago firmaron en Puerto España "
            "un acuerdo para explotar el campo de gas Dragón, con una producción prevista de 185 "
            "millones de pies cúbicos diarios desde 2028.",
        ),
        en=Version(
            "Delcy Rodríguez signs gas deal with Trinidad and Tobago",
            "Venezuela to sell Dragon field gas to Trinidad",
            "Delcy Rodríguez and Trinidad and Tobago's prime minister signed an agreement in "
            "Port of Spain to develop the Dragon gas field, expected to produce 185 million "
            "cubic feet a day from 2028.",
        ),
        fr=Version(
            "Delcy Rodríguez signe un accord gazier avec Trinité-et-Tobago",
            "Le Venezuela vendra le gaz du champ Dragon à Trinité",
            "Delcy Rodríguez et le Premier ministre de Trinité-et-Tobago ont signé à Port-d'Espagne "
            "un accord pour exploiter le champ gazier Dragon, qui devrait produire 185 millions "
            "de pieds cubes par jour à partir de 2028.",
        ),
        es_other=Version(
            "El campo Dragón producirá 185 millones de pies cúbicos desde 2028",
            "",
            "En Puerto España quedó firmado el convenio entre la vicepresidenta Delcy Rodríguez y "
            "el jefe de gobierno trinitario para sacar gas del yacimiento Dragón: 185 millones "
            "de pies cúbicos por día a partir de 2028.",
        ),
    ),
    Event(
        "delcy-plant", "delcy", "2026-11-11", 19,
        es=Version(
            "Delcy Rodríguez inaugura una planta de fertilizantes en Anzoátegui",
            "Reabre la planta de urea de Jose",
            "La vicepresidenta Delcy Rodríguez reinauguró la planta de urea del complejo "
            "petroquímico de Jose, en Anzoátegui, que estaba paralizada desde 2019. La planta "
            "producirá 1.500 toneladas diarias de fertilizante, según Pequiven.",
        ),
        en=Version(
            "Delcy Rodríguez reopens fertiliser plant in Anzoátegui",
            "Jose urea plant back in operation",
            "Vice President Delcy Rodríguez reopened the urea plant at the Jose petrochemical "
            "complex in Anzoátegui, idle since 2019. It will produce 1,500 tonnes of fertiliser "
            "a day, Pequiven said.",
        ),
        fr=Version(
            "Delcy Rodríguez rouvre une usine d'engrais dans l'Anzoátegui",
            "L'usine d'urée de Jose de nouveau en service",
            "La vice-présidente Delcy Rodríguez a rouvert l'usine d'urée du complexe "
            "pétrochimique de Jose, dans l'Anzoátegui, à l'arrêt depuis 2019. Elle produira 1 500 "
            "tonnes d'engrais par jour, selon Pequiven.",
        ),
        es_other=Version(
            "Tras siete años parada, la planta de urea de Jose vuelve a producir",
            "",
            "Pequiven calcula que saldrán 1.500 toneladas de fertilizante al día de la planta de "
            "urea de Jose, en Anzoátegui, que no operaba desde 2019. Delcy Rodríguez encabezó el "
            "acto de reapertura.",
        ),
    ),
    # --- family: esequibo (held out), 12 November ----------------------------------------------
    Event(
        "esequibo-boat", "esequibo", "2026-11-12", 10,
        es=Version(
            "La Armada venezolana retiene un pesquero de Guyana cerca del Esequibo",
            "Guyana denuncia la retención de un barco pesquero",
            "La Armada de Venezuela retuvo un barco pesquero con bandera de Guyana y 9 "
            "tripulantes frente a la costa del Esequibo, informó el gobierno guyanés, que "
            "calificó el hecho de violación de sus aguas. Caracas sostiene que el barco pescaba "
            "sin permiso.",
        ),
        en=Version(
            "Venezuelan navy holds Guyanese fishing boat near Essequibo",
            "Guyana protests detention of fishing vessel",
            "Venezuela's navy detained a Guyana-flagged fishing boat with 9 crew off the "
            "Essequibo coast, Guyana's government said, calling it a violation of its waters. "
            "Caracas says the boat was fishing without a permit.",
        ),
        fr=Version(
            "La marine vénézuélienne retient un chalutier guyanien près de l'Essequibo",
            "Le Guyana dénonce l'arraisonnement d'un bateau de pêche",
            "La marine vénézuélienne a arraisonné un bateau de pêche battant pavillon du Guyana, "
            "avec 9 marins à bord, au large de l'Essequibo, selon le gouvernement guyanien, qui "
            "dénonce une violation de ses eaux. Caracas affirme que le bateau pêchait sans permis.",
        ),
        es_other=Version(
            "Nueve pescadores guyaneses retenidos por la Armada frente al Esequibo",
            "",
            "Georgetown protestó porque marinos venezolanos subieron a un pesquero guyanés con 9 "
            "hombres a bordo en aguas del Esequibo. Para Caracas, la embarcación faenaba sin "
            "autorización.",
        ),
    ),
    Event(
        "esequibo-court", "esequibo", "2026-11-12", 14,
        es=Version(
            "La Corte Internacional de Justicia fija audiencias sobre el Esequibo",
            "La CIJ escuchará a Venezuela y Guyana en marzo",
            "La Corte Internacional de Justicia fijó para el 15 de marzo las audiencias orales "
            "del caso entre Guyana y Venezuela por el Esequibo. Cada país tendrá 6 horas para "
            "exponer sus argumentos en La Haya.",
        ),
        en=Version(
            "World Court sets hearings on Essequibo dispute",
            "ICJ to hear Venezuela and Guyana in March",
            "The International Court of Justice set oral hearings in the Guyana-Venezuela case "
            "over Essequibo for March 15. Each country will have 6 hours to present its "
            "arguments in The Hague.",
        ),
        fr=Version(
            "La Cour internationale de justice fixe les audiences sur l'Essequibo",
            "La CIJ entendra le Venezuela et le Guyana en mars",
            "La Cour internationale de justice a fixé au 15 mars les audiences orales de "
            "l'affaire opposant le Guyana au Venezuela sur l'Essequibo. Chaque pays disposera de "
            "6 heures pour plaider à La Haye.",
        ),
        es_other=Version(
            "Seis horas por país: así serán los alegatos del Esequibo en La Haya",
            "",
            "Guyana y Venezuela expondrán sus argumentos sobre el Esequibo desde el 15 de marzo "
            "ante la CIJ, que dio a cada delegación 6 horas de intervención oral.",
        ),
    ),
    Event(
        "esequibo-ali", "esequibo", "2026-11-12", 18,
        es=Version(
            "Guyana y Brasil refuerzan la frontera ante la tensión con Venezuela",
            "Guyana pide apoyo militar a Brasil",
            "Los gobiernos de Guyana y Brasil acordaron enviar 400 soldados más a la zona "
            "fronteriza de Lethem, ante lo que Georgetown describe como amenazas de Venezuela "
            "sobre el Esequibo. La decisión se tomó en una reunión en Brasilia.",
        ),
        en=Version(
            "Guyana and Brazil reinforce border amid tension with Venezuela",
            "Guyana seeks Brazilian military support",
            "Guyana and Brazil agreed to send 400 more soldiers to the Lethem border area, "
            "citing what Georgetown calls Venezuelan threats over Essequibo. The decision was "
            "taken at a meeting in Brasília.",
        ),
        fr=Version(
            "Le Guyana et le Brésil renforcent la frontière face au Venezuela",
            "Le Guyana demande un appui militaire au Brésil",
            "Le Guyana et le Brésil ont convenu d'envoyer 400 soldats supplémentaires dans la "
            "zone frontalière de Lethem, face à ce que Georgetown qualifie de menaces "
            "vénézuéliennes sur l'Essequibo. La décision a été prise lors d'une réunion à "
            "Brasilia.",
        ),
        es_other=Version(
            "Cuatrocientos militares más en Lethem por el conflicto del Esequibo",
            "",
            "Reunidos en Brasilia, Brasil y Guyana decidieron mandar 400 efectivos adicionales a "
            "Lethem. Georgetown alega que Venezuela amenaza con tomar el Esequibo.",
        ),
    ),
    # --- family: aragua (held out), 13 November ------------------------------------------------
    Event(
        "aragua-chile", "aragua", "2026-11-13", 11,
        es=Version(
            "Chile detiene a nueve miembros del Tren de Aragua",
            "Golpe al Tren de Aragua en Santiago",
            "La policía de Chile detuvo en Santiago a nueve presuntos miembros del Tren de "
            "Aragua acusados de extorsión y secuestro. Entre ellos está alias el Flaco, señalado "
            "como jefe de la célula, informó la fiscalía chilena.",
        ),
        en=Version(
            "Chile arrests nine Tren de Aragua members",
            "Santiago police strike at Tren de Aragua cell",
            "Chilean police arrested nine suspected members of Tren de Aragua in Santiago on "
            "extortion and kidnapping charges. They include a man known as el Flaco, described "
            "as the cell's leader, Chile's prosecutors said.",
        ),
        fr=Version(
            "Le Chili arrête neuf membres du Tren de Aragua",
            "Coup de filet contre le Tren de Aragua à Santiago",
            "La police chilienne a arrêté à Santiago neuf membres présumés du Tren de Aragua, "
            "accusés d'extorsion et d'enlèvement. Parmi eux figure un homme surnommé el Flaco, "
            "présenté comme le chef de la cellule, selon le parquet chilien.",
        ),
        es_other=Version(
            "Cae en Santiago una célula del Tren de Aragua con su jefe",
            "",
            "Alias el Flaco y otros ocho presuntos integrantes del Tren de Aragua quedaron "
            "arrestados en Santiago de Chile. La fiscalía los acusa de secuestros y cobro de "
            "vacunas.",
        ),
    ),
    Event(
        "aragua-cucuta", "aragua", "2026-11-13", 15,
        es=Version(
            "Muere en Cúcuta un cabecilla del Tren de Aragua",
            "Abatido en Colombia un jefe del Tren de Aragua",
            "Un cabecilla del Tren de Aragua murió en un enfrentamiento con la policía de "
            "Colombia en Cúcuta, cerca de la frontera con Venezuela. Otros dos hombres fueron "
            "capturados y se incautaron 6 fusiles, según la policía colombiana.",
        ),
        en=Version(
            "Tren de Aragua leader killed in Cúcuta",
            "Colombian police kill Tren de Aragua boss",
            "A Tren de Aragua leader was killed in a shootout with Colombian police in Cúcuta, "
            "near the Venezuelan border. Two other men were captured and 6 rifles seized, "
            "Colombia's police said.",
        ),
        fr=Version(
            "Un chef du Tren de Aragua tué à Cúcuta",
            "La police colombienne abat un chef du Tren de Aragua",
            "Un chef du Tren de Aragua a été tué lors d'un affrontement avec la police "
            "colombienne à Cúcuta, près de la frontière vénézuélienne. Deux autres hommes ont été "
            "capturés et 6 fusils saisis, selon la police colombienne.",
        ),
        es_other=Version(
            "Enfrentamiento en Cúcuta deja un jefe del Tren de Aragua muerto",
            "",
            "La policía colombiana abatió en Cúcuta, en la frontera, a un mando del Tren de "
            "Aragua y capturó a dos de sus hombres, a quienes les quitó 6 fusiles.",
        ),
    ),
    Event(
        "aragua-list", "aragua", "2026-11-13", 19,
        es=Version(
            "Estados Unidos incluye a cuatro jefes del Tren de Aragua en su lista de terroristas",
            "Washington sanciona a líderes del Tren de Aragua",
            "El Departamento de Estado de Estados Unidos incluyó a cuatro jefes del Tren de "
            "Aragua en su lista de terroristas globales y ofreció hasta 5 millones de dólares por "
            "información que lleve a su captura.",
        ),
        en=Version(
            "US adds four Tren de Aragua bosses to terrorist list",
            "Washington targets Tren de Aragua leaders",
            "The US State Department added four Tren de Aragua leaders to its list of global "
            "terrorists and offered up to 5 million dollars for information leading to their "
            "capture.",
        ),
        fr=Version(
            "Les États-Unis inscrivent quatre chefs du Tren de Aragua sur leur liste terroriste",
            "Washington vise les dirigeants du Tren de Aragua",
            "Le département d'État américain a inscrit quatre chefs du Tren de Aragua sur sa "
            "liste des terroristes internationaux et offre jusqu'à 5 millions de dollars pour "
            "toute information menant à leur capture.",
        ),
        es_other=Version(
            "Hasta 5 millones de dólares por cuatro cabecillas del Tren de Aragua",
            "",
            "Washington declaró terroristas globales a cuatro líderes del Tren de Aragua y puso "
            "precio a su captura: hasta 5 millones de dólares por datos que ayuden a "
            "encontrarlos, anunció el Departamento de Estado.",
        ),
    ),
)
