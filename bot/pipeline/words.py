"""The words the tagger reads besides actors.toml: places, other countries, first names, venues.

A trailing "*" matches any word that starts so. All are compared folded (accents and case dropped).
"""

from __future__ import annotations

# Words and places that make an item about Venezuela, in Spanish, English and French. Left out on
# purpose, because they name other places as often: Valencia, Mérida, Sucre, Miranda, San
# Cristóbal, Bolívar (the man and the Colombian department), Amazonas.
VENEZUELA_WORDS: tuple[str, ...] = (
    "Venezuela",
    "venezolan*",
    "vénézuélien*",
    "venezuelan*",
    "Vinotinto",
    "Caracas",
    "caraqueñ*",
    "Maracaibo",
    "maracuch*",
    "Miraflores",
    "chavismo",
    "chavisme",
    "chavism",
    "chavist*",
    "chaviste*",
    "madurismo",
    "madurista*",
    "bolivarian*",
    "bolivarien*",
    "bolívares",
    "bolívar digital",
    "bolívar soberano",
    "bolívar fuerte",
    "Zulia",
    "Táchira",
    "Esequibo",
    "Essequibo",
    "Apure",
    "Barinas",
    "Carabobo",
    "Anzoátegui",
    "Monagas",
    "Guárico",
    "Cojedes",
    "Yaracuy",
    "Delta Amacuro",
    "Nueva Esparta",
    "isla de Margarita",
    "Barquisimeto",
    "Maracay",
    "Puerto Cabello",
    "Puerto Ordaz",
    "Ciudad Guayana",
    "Petare",
    "La Guaira",
    "Maiquetía",
    "Tocorón",
    "El Helicoide",
    "Fuerte Tiuna",
    "Arco Minero",
    "Faja del Orinoco",
    "Faja Petrolífera del Orinoco",
    "Fort Tiuna",
    # Towns whose names are nobody else's (not Valencia, Barcelona, Mérida, Trujillo, Coro...).
    "Maturín",
    "Cumaná",
    "Barcelona de Anzoátegui",
    "Puerto La Cruz",
    "Ciudad Bolívar",
    "Los Teques",
    "Guarenas",
    "Guatire",
    "Charallave",
    "Cabimas",
    "Ciudad Ojeda",
    "Punto Fijo",
    "Acarigua",
    "Guanare",
    "Carúpano",
    "Porlamar",
    "Puerto Ayacucho",
    "Tucupita",
    "San Juan de los Morros",
    "San Fernando de Apure",
    "San Antonio del Táchira",
    "Santa Elena de Uairén",
    "Chacao",
    "Baruta",
    "Catia",
    "Naguanagua",
    "Amuay",
)

# Other countries and their people, in Spanish, English and French, by country: the country named
# beside a body whose name several countries share ("el CNE de Ecuador", "l'Assemblée nationale
# française") tells whose it is, and a foreign actor's `country` in actors.toml is one of these
# names. Countries with a CNE, a National Assembly, an electoral commission, a supreme court or
# armed forces that the news names the same way, and those of the foreign actors; capitals that
# stand for their country ("Washington dijo") and name no Venezuelan town, which also tell a town
# abroad from a Venezuelan one of the same name ("Lima's Miraflores").
FOREIGN_COUNTRIES: dict[str, tuple[str, ...]] = {
    "Ecuador": ("Ecuador", "Equateur", "ecuatorian*", "équatorien*", "ecuadorian*", "Quito"),
    "Colombia": ("Colombia", "Colombie", "colombian*", "colombien*", "Bogotá"),
    "Honduras": ("Honduras", "hondureñ*", "hondurien*", "honduran*", "Tegucigalpa"),
    "Perú": ("Perú", "Pérou", "Peru", "peruan*", "péruvien*", "peruvian*", "Lima"),
    "Bolivia": ("Bolivia", "Bolivie", "bolivian*", "bolivien*"),
    "Chile": ("Chile", "Chili", "chilen*", "chilien*"),
    "Argentina": ("Argentina", "Argentine", "argentin*", "Buenos Aires"),
    "Brasil": ("Brasil", "Brésil", "Brazil", "brasileñ*", "brésilien*", "brazilian*", "Brasilia"),
    "México": ("México", "Mexique", "mexican*", "mexicain*"),
    "Guatemala": ("Guatemala", "guatemaltec*", "guatémaltèque*", "guatemalan*"),
    "Nicaragua": ("Nicaragua", "nicaragüense*", "nicaraguayen*", "nicaraguan*", "Managua"),
    "Panamá": ("Panamá", "panameñ*", "panaméen*", "panamanian*"),
    "Costa Rica": ("Costa Rica", "costarricense*", "costaricien*", "costa rican*"),
    "El Salvador": ("El Salvador", "salvadoreñ*", "salvadorien*", "salvadoran*"),
    "Paraguay": ("Paraguay", "paraguay*"),
    "Uruguay": ("Uruguay", "uruguay*"),
    "Cuba": ("Cuba", "cuban*", "cubain*", "La Habana", "Havana", "La Havane"),
    "República Dominicana": (
        "República Dominicana", "République dominicaine", "Dominican Republic", "dominican*",
    ),
    "Haití": ("Haití", "Haïti", "Haiti", "haitian*", "haïtien*"),
    "España": (
        "España", "Espagne", "Spain", "español", "española", "espagnol*", "Spanish", "Madrid",
    ),
    "France": (
        "France", "Francia", "francés", "francesa", "franceses", "français", "française",
        "françaises", "French",
    ),
    "Portugal": ("Portugal", "portugu*"),
    "Italia": ("Italia", "Italie", "Italy", "italian*", "italien*"),
    "Alemania": ("Alemania", "Allemagne", "Germany", "alemán", "alemana", "allemand*", "German"),
    "Québec": ("Québec", "Quebec", "québécois*"),
    "Canada": ("Canada", "Canadá", "canadian*", "canadien*"),
    "Congo": ("Congo", "RDC", "RDCongo", "congol*"),
    "Bénin": ("Bénin", "Benin", "béninois*"),
    "Guinée": ("Guinée", "Guinea", "guinéen*"),
    "Côte d'Ivoire": ("Côte d'Ivoire", "ivoirien*"),
    "Sénégal": ("Sénégal", "Senegal", "sénégalais*"),
    "Mali": ("Mali", "malien*"),
    "Niger": ("Niger", "nigérien*"),
    "Burkina Faso": ("Burkina Faso", "burkinab*"),
    "Cameroun": ("Cameroun", "Cameroon", "camerounais*"),
    "Togo": ("Togo", "togolais*"),
    "Gabon": ("Gabon", "gabonais*"),
    "Tchad": ("Tchad", "Chad", "tchadien*"),
    "Madagascar": ("Madagascar", "malgache*"),
    "Nigeria": ("Nigeria", "nigerian*"),
    "Kenya": ("Kenya", "kenyan*"),
    "Ghana": ("Ghana", "ghanéen*", "ghanaian*"),
    "Afrique du Sud": (
        "Afrique du Sud", "South Africa", "Sudáfrica", "sud-africain*", "sudafrican*",
    ),
    "Algérie": ("Algérie", "Algeria", "algérien*"),
    "Maroc": ("Maroc", "Marruecos", "Morocco", "marocain*"),
    "Tunisie": ("Tunisie", "Túnez", "Tunisia", "tunisien*"),
    "Filipinas": ("Filipinas", "Philippines"),
    "Estados Unidos": (
        "Estados Unidos", "États-Unis", "United States", "EEUU", "EE UU", "US", "U.S.",
        "estadounidense*", "américain*", "American", "norteamerican*", "Washington",
    ),
    "Rusia": (
        "Rusia", "Russie", "Russia", "ruso", "rusa", "russe", "Russian", "Moscú", "Moscou", "Moscow",
    ),
    "China": ("China", "Chine", "chino", "china", "chinois*", "Chinese", "Pekín", "Pékin", "Beijing"),
    "Irán": ("Irán", "iraní", "iranien*", "Iranian"),
    "Israel": ("Israel", "israelí", "israélien*", "Israeli"),
    "Ucrania": ("Ucrania", "Ukraine", "ucranian*", "ukrainien*", "Ukrainian"),
    "Guyana": ("Guyana", "guyanés", "guyanais*", "guyanese", "Georgetown"),
    "Belarus": ("Belarus", "Bielorrusia", "Biélorussie", "bielorrus*", "biélorusse*", "Belarusian"),
}

# Forms of address that license the bare surname of any person ("M. Maduro", "Sr. Cabello").
HONORIFICS: tuple[str, ...] = (
    "M.",
    "MM.",
    "Mr",
    "Mrs",
    "Ms",
    "Mme",
    "Sr",
    "Sra",
    "Srta",
    "señor",
    "señora",
    "monsieur",
    "madame",
    "Dr",
    "Dra",
    "don",
    "doña",
)

# Common first names in the news of Spain, Latin America, France and the English-speaking world.
# One of them right before a surname names someone else ("Ricardo Maduro", "Luisa González",
# "Antonio Machado"), unless it is a first name of the actor itself.
_FIRST_NAMES = """
    aaron abdel adam adolfo adriana adrian adrien agnes agustin agustina ahmed alain alan alba
    alberto albert alejandra alejandro alessandro alex alexander alexandra alexandre alexis
    alfonso alfredo alice alicia alvaro amanda amelie ana andre andrea andres andrew angel
    angela angelica anne annie anthony antoine antonia antonio ariel armando arnaud arthur
    arturo aurelien aurora barbara beatriz benjamin benoit bernard bernardo betty blanca bob
    brian bruno camila camille carla carlos carmen carolina caroline catalina catherine cecilia
    celine cesar charles charlotte chloe christian christine christophe claire clara claude
    claudia clement cristian cristina damien daniel daniela david denis diana diego dolores
    dominique donald dylan eduardo elena elias elisa elizabeth elodie emilia emilio emily
    emmanuel emma enrique eric ernesto esteban estela eugenia eva evelyn fabian fabien fabiola
    federico felipe fernanda fernando florence florian francisco francois francoise frank
    frederic gabriel gabriela gael george georges gerard gerardo gilberto gilles gloria gonzalo
    guadalupe guillaume guillermo gustavo helene henri henry hernan hugo ignacio ines irene
    isabel isabelle ismael ivan jacques jaime james jane javier jean jeanne jennifer jeremy
    jerome jesus jessica joan joaquin joe john jonathan jorge jose josefina joseph josh juan
    juana julia julian julie julien julio justin karen karim karina kevin laura laurent lea
    leandro leon leonardo leticia liliana linda lionel lorena lorenzo louis louise lucas lucia
    luciano lucie luis luisa luz manon manuel manuela marc marcela marcelo marco marcos margarita
    maria mariana marie mario marion marta martha martin martine mateo mathieu matias matthew
    mauricio maxime mercedes michael michel michelle miguel milagros monica monique nadia nancy
    natalia nathalie nestor nicole noemi norma octavio olga olivier omar oscar pablo paola
    pascal patricia patricio patrick paul paula paulina pauline pedro philippe pierre pilar
    rafael ramiro ramon raquel raul rebeca ricardo richard roberto robert rocio rodrigo rogelio
    roger rolando rosa rosario ruben ruth salvador samuel sandra santiago sara sarah sebastian
    sebastien sergio silvia simon simone sofia sophie stephane stephanie steve susana sylvie
    teresa thierry thomas tomas valentina valeria valerie vanessa vicente victor victoria
    vincent virginie walter william xavier ximena yolanda yves
    """
FIRST_NAMES: frozenset[str] = frozenset(_FIRST_NAMES.split())

# Venues: "Caracas Arepa Bar", "Café Caracas", "Caracas is a tiny restaurant" name a place to eat,
# not the city.
_VENUES = """
    bar bars cafe cafes cafeteria grill restaurant restaurants restaurante restaurantes kitchen
    bakery panaderia boulangerie arepa arepas arepera areperia deli bistro brasserie diner eatery
    shop store tienda boutique food foods burger burgers pizzeria taqueria lounge cantina
    """
VENUES: frozenset[str] = frozenset(_VENUES.split())

# "Caracas is a …", "Caracas es un …": a place as the subject of a description.
COPULAS: tuple[tuple[str, ...], ...] = (
    ("is", "a"),
    ("is", "an"),
    ("was", "a"),
    ("es", "un"),
    ("es", "una"),
    ("fue", "un"),
    ("est", "un"),
    ("est", "une"),
    ("etait", "un"),
    ("etait", "une"),
)

# "a restaurant called Caracas", "un bar llamado Caracas", "un café baptisé Caracas".
_CALLED = """
    called named dubbed llamado llamada llamados denominado denominada bautizado bautizada
    nomme nommee appele appelee baptise baptisee
    """
CALLED: frozenset[str] = frozenset(_CALLED.split())
