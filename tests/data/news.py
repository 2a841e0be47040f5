"""Hand-written short Venezuela news (es/en/fr), their follow-ups and bulletin templates, for make_pairs."""

from __future__ import annotations

# (id, lang, cluster, title, sentences). Items of one cluster name the same actors on the same
# day (or the same subject on close days) but tell different news: they make the hard negatives.
NEWS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "es01",
        "es",
        "es-maduro",
        "Maduro asume un tercer mandato en medio de denuncias de fraude",
        [
            "Nicolás Maduro juró este viernes ante la Asamblea Nacional como presidente de Venezuela para el periodo 2025-2031, en una ceremonia marcada por la ausencia de la mayoría de los gobiernos de la región.",
            "La oposición sostiene que su candidato, Edmundo González Urrutia, ganó las elecciones del 28 de julio según las actas recogidas por sus testigos.",
            "En su discurso, Maduro prometió una reforma constitucional y acusó a Estados Unidos de preparar una agresión contra el país.",
            "Solo los presidentes de Cuba y Nicaragua asistieron al acto en el Palacio Federal Legislativo.",
        ],
    ),
    (
        "es02",
        "es",
        "es-maduro",
        "Maduro ordena cerrar la frontera con Brasil por 72 horas",
        [
            "El presidente Nicolás Maduro anunció este viernes el cierre temporal de la frontera con Brasil, alegando la presencia de grupos armados que planeaban ingresar al territorio venezolano.",
            "La medida se extenderá por 72 horas y afecta el paso por Santa Elena de Uairén, en el estado Bolívar.",
            "Comerciantes de la zona denunciaron que cientos de camiones con alimentos quedaron varados del lado brasileño.",
            "El gobierno de Brasil dijo que no había recibido ninguna notificación oficial de Caracas.",
        ],
    ),
    (
        "es03",
        "es",
        "es-maduro",
        "Maduro anuncia la captura de siete extranjeros acusados de conspiración",
        [
            "Nicolás Maduro informó este viernes que fuerzas de seguridad detuvieron a siete ciudadanos extranjeros, entre ellos dos colombianos y un estadounidense, acusados de planear atentados.",
            "Según el mandatario, los detenidos portaban armas y explosivos cuando fueron capturados en el estado Táchira.",
            "Maduro no presentó pruebas y dijo que los detalles serían ofrecidos por el ministro de Interior.",
            "Organizaciones de derechos humanos pidieron garantías de debido proceso para los arrestados.",
        ],
    ),
    (
        "es04",
        "es",
        "es-machado",
        "María Corina Machado reaparece en una protesta en Caracas",
        [
            "La líder opositora María Corina Machado reapareció este jueves en una concentración en el este de Caracas, después de varios meses en la clandestinidad.",
            "Subida en un camión, Machado pidió a los venezolanos no rendirse y defender el resultado del 28 de julio.",
            "Minutos después de abandonar la protesta, su equipo denunció que había sido interceptada por motorizados armados.",
            "El gobierno negó cualquier detención y calificó la denuncia de montaje.",
        ],
    ),
    (
        "es05",
        "es",
        "es-machado",
        "Machado pide a los militares respetar la voluntad popular",
        [
            "María Corina Machado publicó este jueves un mensaje dirigido a la Fuerza Armada Nacional Bolivariana en el que pide a oficiales y soldados ponerse del lado de la Constitución.",
            "En el video, grabado en un lugar no revelado, la dirigente afirmó que los militares conocen el verdadero resultado de las elecciones.",
            "El ministro de Defensa, Vladimir Padrino López, respondió horas más tarde que la institución no se dejará dividir.",
            "La oposición anunció nuevas movilizaciones para el fin de semana en varias ciudades del país.",
        ],
    ),
    (
        "es06",
        "es",
        "es-cne",
        "El CNE fija para el 25 de mayo las elecciones regionales y legislativas",
        [
            "El Consejo Nacional Electoral (CNE) anunció este martes que las elecciones de gobernadores, consejos legislativos y diputados a la Asamblea Nacional se celebrarán el 25 de mayo.",
            "El presidente del organismo, Elvis Amoroso, leyó el cronograma electoral en una rueda de prensa en Caracas.",
            "La inscripción de candidaturas estará abierta durante diez días a partir del 24 de marzo.",
            "Sectores de la oposición llamaron a no participar hasta que se publiquen las actas de la elección presidencial.",
        ],
    ),
    (
        "es07",
        "es",
        "es-cne",
        "El CNE inhabilita a dirigentes opositores para los comicios regionales",
        [
            "El Consejo Nacional Electoral (CNE) rechazó este martes la postulación de varios dirigentes opositores que aspiraban a gobernaciones en los comicios del 25 de mayo.",
            "Entre los afectados figuran exalcaldes y exdiputados de los estados Zulia, Miranda y Lara, según denunció la Plataforma Unitaria.",
            "El organismo electoral no explicó públicamente los motivos de las inhabilitaciones.",
            "Expertos electorales señalaron que la medida reduce aún más la competencia en las regiones.",
        ],
    ),
    (
        "es08",
        "es",
        "es-cabello",
        "Cabello anuncia la detención de un grupo vinculado al Tren de Aragua",
        [
            "El ministro de Interior, Diosdado Cabello, informó este lunes que 23 personas fueron detenidas en un operativo contra una célula del Tren de Aragua en el estado Aragua.",
            "Durante el procedimiento se incautaron fusiles, granadas y más de 200 teléfonos celulares, según el ministro.",
            "Cabello aseguró que la banda se dedicaba a la extorsión de comerciantes en Maracay y La Victoria.",
            "Los detenidos fueron puestos a la orden del Ministerio Público.",
        ],
    ),
    (
        "es09",
        "es",
        "es-cabello",
        "Cabello acusa a la oposición de financiar disturbios desde el exterior",
        [
            "Diosdado Cabello afirmó este lunes en su programa semanal que dirigentes opositores en el exilio financian protestas violentas dentro de Venezuela.",
            "El ministro mostró capturas de mensajes que, según él, prueban transferencias desde cuentas en el extranjero.",
            "Cabello mencionó por su nombre a Leopoldo López y a Julio Borges como responsables de la supuesta trama.",
            "Ambos dirigentes rechazaron las acusaciones en sus redes sociales.",
        ],
    ),
    (
        "es10",
        "es",
        "es-luz",
        "Un apagón deja sin luz a Maracaibo y gran parte del Zulia",
        [
            "Un apagón dejó sin electricidad este miércoles a Maracaibo y a al menos doce municipios del estado Zulia, según reportes de vecinos en redes sociales.",
            "La falla comenzó a las 2:15 de la tarde y afectó también el suministro de agua en varias zonas.",
            "Corpoelec atribuyó el corte a una falla en la subestación El Tablazo y prometió restablecer el servicio en pocas horas.",
            "Comerciantes denunciaron pérdidas por la interrupción en plena jornada laboral.",
        ],
    ),
    (
        "es11",
        "es",
        "es-luz",
        "Corte eléctrico afecta a Caracas y a los Valles del Tuy",
        [
            "Un corte eléctrico afectó este miércoles a varias parroquias de Caracas y a los Valles del Tuy, en el estado Miranda, según reportes de vecinos en redes sociales.",
            "La interrupción se registró a las 7:40 de la noche y paralizó el Metro de Caracas durante casi una hora.",
            "El ministro de Energía Eléctrica atribuyó la falla a un sabotaje contra una línea de transmisión.",
            "El servicio se restableció de forma progresiva antes de la medianoche.",
        ],
    ),
    (
        "es12",
        "es",
        "es-cne",
        "Más de 7,7 millones de venezolanos han salido del país, según la ONU",
        [
            "La plataforma R4V, coordinada por ACNUR y la OIM, informó este martes que más de 7,7 millones de venezolanos viven fuera de su país.",
            "Colombia sigue siendo el principal país de acogida, con cerca de 2,8 millones de migrantes, seguido de Perú y Brasil.",
            "El informe advierte que los recortes de financiamiento internacional ponen en riesgo la ayuda a los recién llegados.",
            "La agencia pidió a los gobiernos de la región facilitar la regularización migratoria.",
        ],
    ),
    (
        "en01",
        "en",
        "en-oil",
        "US reimposes oil sanctions on Venezuela after Maduro's disputed inauguration",
        [
            "The United States on Wednesday reimposed sanctions on Venezuela's oil sector, saying the government of Nicolás Maduro had failed to meet its commitments on free elections.",
            "The Treasury Department gave companies 45 days to wind down operations with the state oil company PDVSA.",
            "Venezuela's foreign ministry called the decision an act of economic aggression against the Venezuelan people.",
            "Analysts expect the measure to cut crude exports that had recovered to about 900,000 barrels per day.",
        ],
    ),
    (
        "en02",
        "en",
        "en-oil",
        "Maduro says Venezuela will keep selling oil despite US pressure",
        [
            "Nicolás Maduro said on Wednesday that Venezuela would keep selling its oil to any country that wants to buy it, regardless of pressure from Washington.",
            "Speaking at a rally in Caracas, Maduro said the country had learned to live with sanctions and would grow its economy anyway.",
            "He praised partnerships with China, Russia and India and announced new contracts in the Orinoco belt.",
            "The opposition accused the government of hiding the true state of the oil industry.",
        ],
    ),
    (
        "en03",
        "en",
        "en-oil",
        "Chevron gets new US license to operate in Venezuela",
        [
            "Chevron has received a new license from the US Treasury allowing it to continue limited operations in Venezuela, according to two people familiar with the matter.",
            "The license bars the company from paying taxes or royalties to the government of Nicolás Maduro.",
            "Chevron produces roughly a quarter of Venezuela's crude through joint ventures with PDVSA.",
            "The company declined to comment on the terms of the authorization.",
        ],
    ),
    (
        "en04",
        "en",
        "en-migrants",
        "First deportation flight of the year lands in Caracas",
        [
            "A plane carrying 190 Venezuelan migrants deported from the United States landed on Monday at Maiquetía airport outside Caracas.",
            "The flight was operated by the Venezuelan airline Conviasa under an agreement reached between the two governments.",
            "Interior minister Diosdado Cabello received the passengers and said they had been treated like criminals in the United States.",
            "Officials said more flights were expected in the coming weeks.",
        ],
    ),
    (
        "en05",
        "en",
        "en-migrants",
        "Venezuelan deportees sent to El Salvador prison, families say",
        [
            "Relatives of Venezuelan migrants deported by the United States said on Monday that their family members had been sent to a maximum security prison in El Salvador.",
            "The families said the men had no criminal records and were wrongly accused of belonging to the Tren de Aragua gang.",
            "The White House said the deportees were members of a terrorist organization, without providing evidence.",
            "Venezuela's government called the transfers a kidnapping and demanded their return.",
        ],
    ),
    (
        "en06",
        "en",
        "en-migrants",
        "Colorado police arrest suspected Tren de Aragua members in Aurora",
        [
            "Police in Aurora, Colorado, arrested five men on Thursday suspected of links to the Venezuelan gang Tren de Aragua.",
            "The arrests followed a months-long investigation into extortion and armed robbery at apartment complexes in the city.",
            "Officials said the gang had exploited migrants who arrived in the area over the past two years.",
            "Local advocates warned against blaming the wider Venezuelan community for the crimes.",
        ],
    ),
    (
        "en07",
        "en",
        "en-machado",
        "María Corina Machado wins the Nobel Peace Prize",
        [
            "Venezuelan opposition leader María Corina Machado was awarded the Nobel Peace Prize on Friday for her work to promote democratic rights in Venezuela.",
            "The Norwegian Nobel Committee praised her for keeping the flame of democracy alive amid growing darkness.",
            "Machado, who has lived in hiding for more than a year, dedicated the prize to the Venezuelan people.",
            "The government in Caracas did not immediately comment on the award.",
        ],
    ),
    (
        "en08",
        "en",
        "en-machado",
        "Machado calls on Venezuelans abroad to join Saturday rallies",
        [
            "María Corina Machado on Friday urged Venezuelans living abroad to join rallies planned for Saturday in more than 80 cities around the world.",
            "In a video posted on social media, Machado said the diaspora had a key role in keeping international pressure on the government.",
            "Organizers expect the largest turnouts in Madrid, Bogotá, Miami and Buenos Aires.",
            "The opposition leader has not appeared in public since January.",
        ],
    ),
    (
        "en09",
        "en",
        "en-gonzalez",
        "Edmundo González arrives in Spain after leaving Venezuela",
        [
            "Venezuelan opposition candidate Edmundo González arrived in Madrid on Sunday after leaving the country on a Spanish air force plane.",
            "Spain's foreign minister said González had asked for political asylum and that it would be granted.",
            "A Venezuelan court had issued an arrest warrant for him over his claims to have won the July election.",
            "Vice president Delcy Rodríguez said the government had granted him safe conduct for the sake of political peace.",
        ],
    ),
    (
        "en10",
        "en",
        "en-gonzalez",
        "Edmundo González meets European leaders in Brussels",
        [
            "Edmundo González met the presidents of the European Parliament and the European Commission in Brussels on Sunday, seeking support for the Venezuelan opposition.",
            "González asked European governments to recognize him as the winner of the July presidential election.",
            "The European Parliament had already passed a resolution recognizing him as president-elect.",
            "Caracas condemned the meetings as interference in Venezuela's internal affairs.",
        ],
    ),
    (
        "en11",
        "en",
        "en-essequibo",
        "Guyana accuses Venezuela of incursion in disputed Essequibo region",
        [
            "Guyana said on Tuesday that Venezuelan soldiers had crossed into the disputed Essequibo region and fired on a Guyanese patrol.",
            "President Irfaan Ali called the incident a serious violation of international law and informed the United Nations.",
            "Venezuela denied any incursion and accused Guyana of allowing US military activities in the area.",
            "The International Court of Justice is still examining the border dispute.",
        ],
    ),
    (
        "en12",
        "en",
        "en-essequibo",
        "Venezuela to elect a governor for Essequibo in May vote",
        [
            "Venezuela's electoral council said on Tuesday that voters would elect a governor for the Essequibo region, an area administered by Guyana, in the May elections.",
            "Nicolás Maduro said the new state, which Venezuela calls Guayana Esequiba, would have its own legislative council.",
            "Guyana's government described the plan as a threat to its sovereignty.",
            "Voting for the region will take place in a polling center inside Venezuelan territory.",
        ],
    ),
    (
        "fr01",
        "fr",
        "fr-maduro",
        "Nicolas Maduro investi pour un troisième mandat à Caracas",
        [
            "Nicolas Maduro a prêté serment vendredi pour un troisième mandat de six ans à la tête du Venezuela, malgré les accusations de fraude de l'opposition.",
            "La cérémonie s'est déroulée à l'Assemblée nationale en présence de délégations de Cuba, du Nicaragua et de la Russie.",
            "L'Union européenne et plusieurs pays d'Amérique latine ont refusé de reconnaître sa victoire.",
            "Le chef de l'État a promis de défendre la souveraineté du pays face aux menaces étrangères.",
        ],
    ),
    (
        "fr02",
        "fr",
        "fr-maduro",
        "Le Venezuela rompt ses relations diplomatiques avec le Paraguay",
        [
            "Le gouvernement de Nicolas Maduro a annoncé vendredi la rupture de ses relations diplomatiques avec le Paraguay, dont le président a reconnu Edmundo Gonzalez comme président élu.",
            "Le ministre des Affaires étrangères, Yvan Gil, a donné 72 heures aux diplomates paraguayens pour quitter le territoire.",
            "Asunción a qualifié cette décision de prévisible et a dit maintenir son soutien à l'opposition.",
            "Le Venezuela a déjà rompu avec sept pays de la région depuis l'élection de juillet.",
        ],
    ),
    (
        "fr03",
        "fr",
        "fr-maduro",
        "Maduro annonce la fermeture de la frontière avec la Colombie",
        [
            "Nicolas Maduro a ordonné vendredi la fermeture de la frontière avec la Colombie jusqu'à lundi, invoquant un complot international visant à perturber son investiture.",
            "Les ponts internationaux de l'État de Táchira ont été fermés dès l'aube, selon des témoins sur place.",
            "Le gouvernement colombien a regretté une mesure qui pénalise des milliers de travailleurs frontaliers.",
            "Caracas affirme avoir arrêté plusieurs mercenaires étrangers ces derniers jours.",
        ],
    ),
    (
        "fr04",
        "fr",
        "fr-droits",
        "Libération de dizaines de prisonniers politiques au Venezuela",
        [
            "Les autorités vénézuéliennes ont libéré samedi au moins 80 personnes arrêtées lors des manifestations qui ont suivi l'élection présidentielle, selon l'ONG Foro Penal.",
            "Parmi les personnes libérées figurent des adolescents et des militants de l'opposition détenus depuis plusieurs mois.",
            "Le procureur général Tarek William Saab a confirmé des révisions de mesures judiciaires.",
            "Foro Penal estime que plus de 1 700 prisonniers politiques restent encore en détention.",
        ],
    ),
    (
        "fr05",
        "fr",
        "fr-droits",
        "L'ONU dénonce des disparitions forcées au Venezuela",
        [
            "La mission d'enquête de l'ONU sur le Venezuela a dénoncé samedi une vague de disparitions forcées visant des opposants et des journalistes.",
            "Selon le rapport, des dizaines de détenus ont été gardés au secret pendant des semaines sans que leurs familles soient informées.",
            "Le procureur général Tarek William Saab a rejeté ces accusations et dénoncé une campagne contre le Venezuela.",
            "Les enquêteurs demandent la libération immédiate des personnes détenues arbitrairement.",
        ],
    ),
    (
        "fr06",
        "fr",
        "fr-essequibo",
        "Le Venezuela organise un référendum sur l'Essequibo",
        [
            "Les Vénézuéliens ont voté dimanche lors d'un référendum consultatif sur la souveraineté de l'Essequibo, une région riche en pétrole administrée par le Guyana.",
            "Le Conseil national électoral a annoncé une participation de plus de 10 millions d'électeurs, un chiffre contesté par l'opposition.",
            "Le Guyana a dénoncé une menace d'annexion et saisi la Cour internationale de justice.",
            "Nicolas Maduro a salué une victoire éclatante du peuple vénézuélien.",
        ],
    ),
    (
        "fr07",
        "fr",
        "fr-essequibo",
        "Le Guyana renforce sa frontière face au Venezuela",
        [
            "Le Guyana a annoncé dimanche le renforcement de sa présence militaire près de la frontière avec le Venezuela, dans la région disputée de l'Essequibo.",
            "Le président Irfaan Ali a affirmé que son pays ne céderait pas un centimètre de territoire.",
            "Des responsables militaires brésiliens ont également déplacé des blindés vers l'État de Roraima.",
            "Washington a appelé Caracas et Georgetown à régler leur différend par des voies pacifiques.",
        ],
    ),
    (
        "fr08",
        "fr",
        "fr-machado",
        "María Corina Machado appelle à manifester le 9 janvier",
        [
            "La cheffe de l'opposition vénézuélienne María Corina Machado a appelé mardi ses partisans à descendre dans la rue le 9 janvier, à la veille de l'investiture présidentielle.",
            "Dans une vidéo, elle a assuré qu'Edmundo Gonzalez rentrerait au Venezuela pour prêter serment.",
            "Le gouvernement a promis une récompense de 100 000 dollars pour toute information permettant d'arrêter Edmundo Gonzalez.",
            "Les forces de sécurité ont été déployées dans plusieurs quartiers de Caracas.",
        ],
    ),
    (
        "fr09",
        "fr",
        "fr-machado",
        "Machado dénonce l'arrestation du gendre d'Edmundo Gonzalez",
        [
            "María Corina Machado a dénoncé mardi l'arrestation à Caracas de Rafael Tudares, gendre d'Edmundo Gonzalez, par des hommes encagoulés.",
            "Selon la famille, il a été intercepté alors qu'il conduisait ses enfants à l'école.",
            "Le gouvernement n'a pas confirmé l'arrestation et n'a donné aucune information sur son lieu de détention.",
            "L'opposition dénonce une stratégie d'intimidation contre les proches de ses dirigeants.",
        ],
    ),
    (
        "fr10",
        "fr",
        "fr-petrole",
        "La production pétrolière du Venezuela dépasse le million de barils par jour",
        [
            "La production de pétrole du Venezuela a dépassé en décembre le million de barils par jour pour la première fois depuis 2019, selon les chiffres transmis à l'Opep.",
            "La compagnie publique PDVSA attribue cette hausse à la reprise de puits dans la ceinture de l'Orénoque.",
            "Les exportations restent toutefois freinées par les sanctions américaines.",
            "Le ministre du Pétrole a promis d'atteindre 1,5 million de barils d'ici la fin de l'année.",
        ],
    ),
    (
        "fr11",
        "fr",
        "fr-petrole",
        "Chevron augmente ses exportations de brut vénézuélien",
        [
            "Le groupe américain Chevron a exporté en décembre environ 250 000 barils par jour de brut vénézuélien vers les États-Unis, selon des données de suivi des navires.",
            "La compagnie opère au Venezuela grâce à une licence accordée par le Trésor américain.",
            "Les revenus de ces ventes servent en partie à rembourser des dettes de PDVSA envers Chevron.",
            "L'opposition vénézuélienne demande que ces revenus ne profitent pas au gouvernement de Nicolas Maduro.",
        ],
    ),
    (
        "fr12",
        "fr",
        "fr-droits",
        "Le Chili démantèle une cellule du Tren de Aragua",
        [
            "La police chilienne a démantelé jeudi une cellule du Tren de Aragua accusée d'enlèvements et d'extorsion à Santiago, avec 34 arrestations.",
            "Selon le parquet, le groupe était lié à l'assassinat d'un ancien militaire vénézuélien réfugié au Chili.",
            "Santiago accuse des responsables vénézuéliens d'avoir commandité ce meurtre, ce que Caracas dément.",
            "Le Tren de Aragua, né dans une prison de l'État d'Aragua, est présent dans plusieurs pays d'Amérique latine.",
        ],
    ),
]

# (base id, title, sentences): the next development, days later. Many restate the first news as
# background, often with its very words, as outlets do.
FOLLOW_UPS: list[tuple[str, str, list[str]]] = [
    (
        "es01",
        "Maduro presenta su propuesta de reforma constitucional",
        [
            "Nicolás Maduro presentó este miércoles ante la Asamblea Nacional su propuesta de reforma constitucional, que incluye la creación de nuevas formas de gobierno comunal.",
            "El proyecto será debatido durante 60 días antes de ser sometido a referendo, según el presidente del Parlamento, Jorge Rodríguez.",
            "Maduro había anunciado la reforma el 10 de enero, cuando juró ante la Asamblea Nacional como presidente de Venezuela para el periodo 2025-2031.",
            "La oposición considera que la reforma busca perpetuar al chavismo en el poder.",
        ],
    ),
    (
        "es02",
        "Venezuela reabre la frontera con Brasil tras tres días de cierre",
        [
            "El gobierno venezolano reabrió este lunes el paso fronterizo de Santa Elena de Uairén, tres días después de que Nicolás Maduro ordenara cerrar la frontera con Brasil.",
            "Cientos de camiones con alimentos que esperaban del lado brasileño comenzaron a cruzar en la mañana.",
            "Las autoridades no informaron si se detuvo a algún integrante de los grupos armados mencionados por el presidente.",
            "El cierre había sido anunciado el viernes por 72 horas.",
        ],
    ),
    (
        "es04",
        "Machado denuncia que fue retenida por la fuerza tras la protesta",
        [
            "María Corina Machado aseguró este sábado que fue retenida durante varias horas por hombres armados tras la protesta del jueves en Caracas y que luego fue liberada.",
            "En un video, la dirigente explicó que la obligaron a grabar mensajes antes de soltarla.",
            "La líder opositora había reaparecido el jueves en una concentración en el este de Caracas, después de varios meses en la clandestinidad.",
            "El gobierno insistió en que la denuncia es falsa.",
        ],
    ),
    (
        "es06",
        "Arranca la inscripción de candidaturas para las regionales del 25 de mayo",
        [
            "La inscripción de candidaturas para las elecciones regionales y legislativas del 25 de mayo comenzó este lunes en todo el país, según el Consejo Nacional Electoral (CNE).",
            "Los partidos tendrán diez días para postular a sus aspirantes a gobernaciones, consejos legislativos y Asamblea Nacional.",
            "El presidente del CNE, Elvis Amoroso, dijo que el sistema de postulación funcionó sin contratiempos durante la primera jornada.",
            "Varios partidos opositores mantienen su llamado a la abstención.",
        ],
    ),
    (
        "es08",
        "Fiscalía imputa a 23 presuntos miembros del Tren de Aragua",
        [
            "El Ministerio Público imputó este jueves a las 23 personas detenidas el lunes en el estado Aragua por su presunta vinculación con el Tren de Aragua.",
            "Los detenidos enfrentan cargos de extorsión, asociación para delinquir y tráfico de armas.",
            "El ministro de Interior, Diosdado Cabello, informó el lunes que 23 personas fueron detenidas en un operativo contra una célula del Tren de Aragua en el estado Aragua.",
            "La audiencia preliminar fue fijada para dentro de 45 días.",
        ],
    ),
    (
        "es10",
        "Corpoelec restablece el servicio en el Zulia tras 30 horas sin luz",
        [
            "Corpoelec informó este viernes que el servicio eléctrico fue restablecido en todo el estado Zulia, después de más de 30 horas de interrupción.",
            "Vecinos de Maracaibo reportaron que el agua aún no llega a varias urbanizaciones.",
            "Un apagón dejó sin electricidad el miércoles a Maracaibo y a al menos doce municipios del estado Zulia.",
            "El gobernador anunció un plan de racionamiento de cuatro horas diarias mientras se reparan los equipos.",
        ],
    ),
    (
        "en01",
        "PDVSA cargoes stall as sanctions deadline nears",
        [
            "Tankers loading Venezuelan crude have slowed sharply as the 45-day deadline set by the US Treasury approaches, according to shipping data.",
            "PDVSA exported an average of 720,000 barrels per day in the last two weeks, down from about 900,000 barrels per day in the previous month.",
            "The United States reimposed sanctions on Venezuela's oil sector this month, saying the government of Nicolás Maduro had failed to meet its commitments on free elections.",
            "Buyers in Asia are seeking discounts to take on the additional risk.",
        ],
    ),
    (
        "en04",
        "Second deportation flight lands in Caracas with 175 migrants",
        [
            "A second flight carrying 175 Venezuelan migrants deported from the United States landed on Friday at Maiquetía airport, four days after the first flight of the year.",
            "Diosdado Cabello again received the passengers and said the government would keep bringing its citizens home.",
            "Officials said the deportees would undergo medical checks and interviews before returning to their families.",
            "The first flight, operated by Conviasa, landed on Monday with 190 migrants.",
        ],
    ),
    (
        "en07",
        "Machado's daughter receives Nobel Peace Prize on her behalf in Oslo",
        [
            "The daughter of María Corina Machado accepted the Nobel Peace Prize on her behalf at a ceremony in Oslo on Wednesday, as the Venezuelan opposition leader could not travel in time.",
            "In a speech read by her daughter, Machado thanked those who stood up for freedom in Venezuela.",
            "Machado was awarded the prize in October for her work to promote democratic rights in Venezuela.",
            "Several Latin American presidents attended the ceremony.",
        ],
    ),
    (
        "en09",
        "Edmundo González says he will return to Venezuela in January",
        [
            "Edmundo González said on Thursday from Madrid that he would return to Venezuela to be sworn in as president on January 10.",
            "González, who has been granted political asylum in Spain, said he signed a statement under pressure before leaving the country.",
            "The opposition candidate arrived in Madrid earlier this month on a Spanish air force plane.",
            "Venezuela's government said he would be arrested if he returned.",
        ],
    ),
    (
        "en11",
        "UN court orders Venezuela not to hold vote in Essequibo",
        [
            "The International Court of Justice ordered Venezuela on Thursday to refrain from holding elections in the Essequibo region, which is administered by Guyana.",
            "The court said the vote planned for May would aggravate the border dispute.",
            "Guyana had accused Venezuela of an incursion into the disputed area earlier this year.",
            "Caracas said it did not recognize the court's jurisdiction and would go ahead with the vote.",
        ],
    ),
    (
        "fr01",
        "Maduro remanie son gouvernement une semaine après son investiture",
        [
            "Nicolas Maduro a annoncé samedi un vaste remaniement de son gouvernement, une semaine après avoir prêté serment pour un troisième mandat.",
            "Delcy Rodríguez conserve la vice-présidence et reçoit en plus le ministère des Hydrocarbures.",
            "Le chef de l'État a expliqué vouloir donner un nouvel élan à l'économie.",
            "Nicolas Maduro a prêté serment le 10 janvier pour un troisième mandat de six ans à la tête du Venezuela, malgré les accusations de fraude de l'opposition.",
        ],
    ),
    (
        "fr04",
        "Foro Penal recense de nouvelles libérations de prisonniers politiques",
        [
            "L'ONG Foro Penal a recensé mercredi 42 nouvelles libérations de personnes arrêtées après l'élection présidentielle, quatre jours après une première vague de libérations.",
            "Les familles continuent cependant de camper devant la prison de Tocorón pour obtenir des nouvelles de leurs proches.",
            "Samedi, les autorités vénézuéliennes avaient libéré au moins 80 personnes arrêtées lors des manifestations qui ont suivi l'élection présidentielle.",
            "Foro Penal estime que plus de 1 600 prisonniers politiques restent en détention.",
        ],
    ),
    (
        "fr06",
        "Maduro présente une nouvelle carte du Venezuela incluant l'Essequibo",
        [
            "Nicolas Maduro a présenté mardi une nouvelle carte officielle du Venezuela incluant l'Essequibo, deux jours après le référendum sur la souveraineté de cette région.",
            "Il a ordonné à la compagnie publique PDVSA de délivrer des licences d'exploitation pétrolière dans la zone.",
            "Le Guyana a placé son armée en état d'alerte et demandé une réunion du Conseil de sécurité de l'ONU.",
            "Les Vénézuéliens avaient voté dimanche lors d'un référendum consultatif sur la souveraineté de l'Essequibo, une région riche en pétrole administrée par le Guyana.",
        ],
    ),
    (
        "fr12",
        "Le Chili expulse des diplomates vénézuéliens après le meurtre d'un ex-militaire",
        [
            "Le Chili a expulsé mardi trois diplomates vénézuéliens, accusant Caracas d'être impliqué dans l'assassinat d'un ancien militaire vénézuélien réfugié à Santiago.",
            "La décision intervient cinq jours après le démantèlement d'une cellule du Tren de Aragua accusée d'enlèvements et d'extorsion.",
            "Le gouvernement vénézuélien a dénoncé une provocation et annoncé des mesures de réciprocité.",
            "L'enquête chilienne affirme que l'ordre du meurtre est venu de hauts responsables à Caracas.",
        ],
    ),
    (
        "seed0",
        "Le Tribunal suprême valide la victoire de Nicolas Maduro",
        [
            "Le Tribunal suprême de justice du Venezuela a validé jeudi la victoire de Nicolas Maduro à l'élection présidentielle du 28 juillet, trois semaines après le scrutin.",
            "La plus haute juridiction, accusée par l'opposition d'être alignée sur le pouvoir, affirme avoir examiné les actes remis par la CNE.",
            "Avec 51% des votes, la Commission électorale avait proclamé la victoire du président sortant Nicolas Maduro pour un 3e mandat.",
            "Le Centre Carter et les Nations unies réclament toujours la publication des résultats détaillés de chaque bureau de vote.",
            "Edmundo Gonzalez, qui revendique la victoire, ne s'est pas présenté à la convocation du tribunal.",
        ],
    ),
    (
        "seed4",
        "Delcy Rodriguez promet la stabilite apres une semaine de tensions a Caracas",
        [
            "La presidente par interim Delcy Rodriguez a promis lundi de retablir la stabilite au Venezuela, une semaine apres l'arrestation de Nicolas Maduro par les forces speciales americaines.",
            "Dans un discours televise, elle a annonce la creation d'un commandement unifie des forces de securite autour de Miraflores.",
            "Des coups de feu violents avaient ete signales le 5 janvier devant le palais presidentiel de Miraflores a Caracas.",
            "Les Etats-Unis ont reclame la tenue d'elections libres dans les six mois.",
        ],
    ),
]

# Context paragraphs that outlets append to every story of a subject; they are shared across
# different news, which is what makes boilerplate dangerous for near-duplicate detection.
BACKGROUND: dict[str, list[str]] = {
    "es": [
        "Venezuela atraviesa una profunda crisis política desde las elecciones presidenciales del 28 de julio de 2024, cuando el CNE proclamó la victoria de Nicolás Maduro sin publicar los resultados desglosados por mesa. La oposición y numerosos gobiernos extranjeros rechazaron ese resultado.",
        "Más de 2.000 personas fueron detenidas en las protestas posteriores a los comicios, según organizaciones de derechos humanos, y al menos 25 murieron en las manifestaciones. El gobierno atribuye la violencia a grupos financiados desde el exterior.",
        "La economía venezolana, golpeada por años de hiperinflación y sanciones, depende en gran medida de los ingresos petroleros. El salario mínimo se mantiene congelado desde 2022 mientras los bonos representan la mayor parte del ingreso de los trabajadores.",
    ],
    "en": [
        "Venezuela has been in political turmoil since the July 28, 2024 presidential election, when the electoral council declared Nicolás Maduro the winner without publishing a detailed breakdown of the vote. The opposition and many foreign governments rejected the result.",
        "Millions of Venezuelans have left the country over the past decade to escape economic collapse and political repression, most of them settling in Latin America and the United States.",
        "Venezuela holds the world's largest proven oil reserves, but production collapsed over the past decade because of mismanagement, underinvestment and US sanctions.",
    ],
    "fr": [
        "Le Venezuela traverse une grave crise politique depuis l'élection présidentielle du 28 juillet 2024, lorsque le Conseil national électoral a proclamé la victoire de Nicolas Maduro sans publier les résultats détaillés par bureau de vote. L'opposition et de nombreux gouvernements étrangers ont rejeté ce résultat.",
        "Plus de 2 000 personnes ont été arrêtées lors des manifestations qui ont suivi le scrutin, selon les organisations de défense des droits humains, et au moins 25 personnes ont été tuées.",
        "Le pays, qui détient les plus grandes réserves prouvées de pétrole au monde, a vu sa production s'effondrer en une décennie sous l'effet de la mauvaise gestion et des sanctions américaines.",
    ],
}

FOOTER: dict[str, str] = {
    "es": "Síguenos en nuestro canal de Telegram y en X para más noticias de Venezuela.",
    "en": "Follow our coverage of Venezuela on Telegram and X.",
    "fr": "Retrouvez toute l'actualité du Venezuela sur notre chaîne Telegram.",
}

# Bulletins that outlets publish every day with the same words and new figures: the same
# template with different facts is a different story.
TEMPLATES: list[tuple[str, str, str, list[dict[str, str]]]] = [
    (
        "es",
        "El BCV fija el dólar oficial en {rate} bolívares",
        "El Banco Central de Venezuela (BCV) fijó este {day} la tasa de cambio oficial en {rate} bolívares por dólar, "
        "lo que representa una variación de {pct} % respecto a la jornada anterior. El euro se ubicó en {eur} bolívares. "
        "En el mercado paralelo, el dólar se cotizó en {par} bolívares, según los principales monitores. "
        "El tipo de cambio oficial es la referencia para el pago de impuestos, servicios y precios regulados en el país.",
        [
            {"day": "lunes", "rate": "36,52", "pct": "0,31", "eur": "39,87", "par": "41,20"},
            {"day": "martes", "rate": "36,61", "pct": "0,25", "eur": "39,95", "par": "41,75"},
            {"day": "miércoles", "rate": "36,74", "pct": "0,36", "eur": "40,12", "par": "42,10"},
            {"day": "jueves", "rate": "36,80", "pct": "0,16", "eur": "40,20", "par": "42,60"},
        ],
    ),
    (
        "es",
        "Detienen a {n} personas por contrabando de combustible en {state}",
        "Funcionarios de la Guardia Nacional Bolivariana detuvieron a {n} personas por contrabando de combustible en el estado {state}, "
        "informó este {day} el ministro de Interior, Diosdado Cabello. Durante el operativo se incautaron {litres} litros de gasolina "
        "y {vehicles} vehículos que serían usados para trasladar el combustible hacia {dest}. Cabello aseguró que los detenidos "
        "fueron puestos a la orden de la Fiscalía y que los operativos continuarán en todo el país.",
        [
            {
                "n": "12",
                "state": "Táchira",
                "day": "lunes",
                "litres": "8.000",
                "vehicles": "5",
                "dest": "Colombia",
            },
            {
                "n": "7",
                "state": "Zulia",
                "day": "martes",
                "litres": "3.500",
                "vehicles": "3",
                "dest": "Colombia",
            },
            {
                "n": "9",
                "state": "Bolívar",
                "day": "miércoles",
                "litres": "6.200",
                "vehicles": "4",
                "dest": "Brasil",
            },
            {
                "n": "15",
                "state": "Apure",
                "day": "jueves",
                "litres": "10.400",
                "vehicles": "6",
                "dest": "Colombia",
            },
        ],
    ),
    (
        "en",
        "Deportation flight with {n} Venezuelans lands from {country}",
        "A flight carrying {n} Venezuelan migrants deported from {country} landed at Maiquetía airport on {day}, "
        "the government said. It was the {ord} flight of the Return to the Homeland plan this month. "
        "Among the passengers were {kids} children, according to the interior ministry. "
        "The government said all returnees would receive medical care and help to reach their home states.",
        [
            {
                "n": "178",
                "country": "the United States",
                "day": "Monday",
                "ord": "third",
                "kids": "12",
            },
            {
                "n": "196",
                "country": "the United States",
                "day": "Thursday",
                "ord": "fourth",
                "kids": "21",
            },
            {"n": "88", "country": "Mexico", "day": "Saturday", "ord": "fifth", "kids": "9"},
            {
                "n": "142",
                "country": "the United States",
                "day": "Tuesday",
                "ord": "sixth",
                "kids": "17",
            },
        ],
    ),
    (
        "fr",
        "Intempéries au Venezuela : {dead} morts dans l'État de {state}",
        "De fortes pluies ont fait {dead} morts et {missing} disparus dans l'État de {state}, a annoncé {day} la protection civile vénézuélienne. "
        "Plus de {homes} habitations ont été endommagées et {roads} routes restent coupées. "
        "Le gouvernement a décrété l'état d'urgence dans la région et dépêché des équipes de secours. "
        "Les autorités appellent les habitants des zones à risque à rejoindre les abris mis en place.",
        [
            {
                "dead": "8",
                "missing": "12",
                "state": "Mérida",
                "day": "lundi",
                "homes": "300",
                "roads": "4",
            },
            {
                "dead": "3",
                "missing": "5",
                "state": "Sucre",
                "day": "mercredi",
                "homes": "120",
                "roads": "2",
            },
            {
                "dead": "11",
                "missing": "20",
                "state": "Trujillo",
                "day": "vendredi",
                "homes": "450",
                "roads": "6",
            },
            {
                "dead": "5",
                "missing": "2",
                "state": "Mérida",
                "day": "dimanche",
                "homes": "90",
                "roads": "3",
            },
        ],
    ),
]

SEED_TITLES: list[str] = [
    "Venezuela : manifestations à Caracas, le Panama suspend ses relations diplomatiques",
    "",  # the seed's first line is its title
    "",
    "Poutine félicite Maduro pour sa victoire contestée au Venezuela",
    "Des coups de feu près du palais de Miraflores à Caracas",
]

# (base id, title, text): summaries in an editor's own words, as channels and aggregators write
# them. Only some words of the article survive; dedup is not expected to catch them all.
REWRITTEN: list[tuple[str, str, str]] = [
    (
        "es02",
        "⚡️ Frontera con Brasil cerrada",
        "Maduro cierra por 72 horas la frontera con Brasil. Alega que grupos armados planeaban entrar a Venezuela. Camiones con alimentos varados en Santa Elena de Uairén.",
    ),
    (
        "es03",
        "🔴 Siete extranjeros detenidos",
        "Maduro dice que fueron capturados siete extranjeros, dos de ellos colombianos y uno estadounidense, por supuestos planes de atentados en Táchira. No mostró pruebas.",
    ),
    (
        "es06",
        "Regionales el 25 de mayo",
        "El CNE anunció que las elecciones de gobernadores, consejos legislativos y Asamblea Nacional serán el 25 de mayo. La inscripción de candidaturas abre el 24 de marzo por diez días.",
    ),
    (
        "es08",
        "Operativo contra el Tren de Aragua en Aragua",
        "Según Diosdado Cabello, 23 detenidos en un operativo contra una célula del Tren de Aragua en Aragua; incautados fusiles, granadas y más de 200 celulares. La banda extorsionaba a comerciantes de Maracay.",
    ),
    (
        "es10",
        "Apagón en el Zulia",
        "Maracaibo y al menos doce municipios del Zulia sin luz desde las 2:15 de la tarde. Corpoelec habla de una falla en la subestación El Tablazo. También hay fallas en el suministro de agua.",
    ),
    (
        "en01",
        "US sanctions are back",
        "Washington reimposed sanctions on Venezuela's oil sector on Wednesday, accusing the Maduro government of breaking its election commitments. Companies have 45 days to wind down business with PDVSA.",
    ),
    (
        "en04",
        "Deportees back in Caracas",
        "190 Venezuelans deported from the US arrived at Maiquetía on Monday on a Conviasa flight. Diosdado Cabello greeted them and said they had been treated like criminals.",
    ),
    (
        "en07",
        "Nobel for Machado",
        "The Nobel Peace Prize goes to María Corina Machado, Venezuela's opposition leader, for defending democratic rights. She dedicated it to the Venezuelan people. Caracas has not commented yet.",
    ),
    (
        "en09",
        "González in Madrid",
        "Edmundo González landed in Madrid on Sunday aboard a Spanish air force plane; Spain will grant him asylum. He faced an arrest warrant in Venezuela over his claim to have won the July vote.",
    ),
    (
        "en11",
        "Essequibo incident",
        "Guyana says Venezuelan soldiers entered the disputed Essequibo region on Tuesday and shot at a Guyanese patrol. Venezuela denies it. President Irfaan Ali informed the UN.",
    ),
    (
        "fr01",
        "Maduro prête serment",
        "Troisième mandat pour Nicolas Maduro, qui a prêté serment vendredi devant l'Assemblée nationale. Seules Cuba, le Nicaragua et la Russie avaient envoyé des délégations ; l'UE refuse de reconnaître sa victoire.",
    ),
    (
        "fr04",
        "Libérations au Venezuela",
        "Au moins 80 personnes arrêtées après la présidentielle ont été libérées samedi, dont des adolescents, selon Foro Penal. L'ONG compte encore plus de 1 700 prisonniers politiques.",
    ),
    (
        "fr06",
        "Référendum sur l'Essequibo",
        "Référendum dimanche au Venezuela sur l'Essequibo, région pétrolière administrée par le Guyana. Le CNE annonce plus de 10 millions de votants, l'opposition conteste ; Georgetown parle de menace d'annexion.",
    ),
    (
        "fr12",
        "Tren de Aragua au Chili",
        "34 arrestations à Santiago : la police chilienne a démantelé une cellule du Tren de Aragua, soupçonnée d'enlèvements, d'extorsion et du meurtre d'un ex-militaire vénézuélien.",
    ),
    (
        "seed3",
        "Poutine félicite Maduro",
        "Vladimir Poutine a félicité Nicolas Maduro pour sa réélection contestée et le Kremlin promet d'approfondir la coopération avec Caracas « dans tous les domaines, y compris les plus sensibles ».",
    ),
    (
        "seed4",
        "Tirs à Miraflores",
        "Coups de feu et tirs antiaériens près du palais de Miraflores à Caracas le 5 janvier, deux jours après la capture de Nicolas Maduro par les forces spéciales américaines. Washington dit ne pas être impliqué.",
    ),
]
