/**
 * Word lists for the identifying-text detector, all folded to lower case. They are general
 * knowledge about NHS staff talk (titles, roles, systems, eponyms, UK places, common first
 * names), not sentences from any data set. A deployment adds its own site and ward names
 * through the detector context (`allowWords`).
 */

const words = (list: string) => new Set(list.trim().split(/\s+/));

/** Titles that make the next word a name: "Dr Smith", "mr hughes" (any case). */
export const STRONG_TITLES = words(`dr mr mrs ms miss mx prof`);

/** Role words used as titles: "Sister Byrne", "Matron Hargreaves" (the name must be capitalised). */
export const ROLE_TITLES = words(`doctor professor sister nurse matron sr father rev revd reverend`);

/** Words after a title that are not names ("Dr on call", "nurse of the year"). */
export const FUNCTION_WORDS = words(`
a an the and or but if of to in on at by for from with without about into onto over under
up down out off as is are was were be been being am has have had do does did will would
shall should can could may might must not no so than then that this these those there here
who whom whose which what when where why how all any some each every i me my we us our you
your he him his she her it its they them their one two three just also only very too again
said says told asked called rang came went got gets keep kept never always still even yet
who's it's i'm i've don't didn't can't won't isn't wasn't doesn't
`);

/** Months, days and holidays: capitalised, never people. */
export const CALENDAR_WORDS = words(`
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
christmas easter xmas eid diwali ramadan hanukkah vaisakhi halloween new year boxing day
`);

/** Systems, software, organisations, unions, brands and frameworks staff name every day. */
export const SYSTEM_WORDS = words(`
datix epic teams esr outlook citrix patientrack cerner lorenzo ice allocate healthroster eroster
e-roster rostering loop nhsmail intranet windows excel word powerpoint zoom whatsapp facebook
google microsoft apple ipad iphone android youtube twitter instagram tiktok careflow medway
nervecentre emis systmone evolve ehr eprescribing e-prescribing badgernet oracle sap trac
nhs nhsbt unison rcn bma unite gmb rcm csp cqc nice hee nmc gmc hcpc
costa greggs starbucks subway tesco asda sainsbury's sainsburys aldi lidl mcdonalds mcdonald's
macmillan mencap marie curie barnardo's bupa spire amazon uber deliveroo
agenda change freedom speak guardian guardians caldicott mary seacole programme
covid coronavirus omicron brexit google-it ok okay
`);

/** Diseases, signs, scores and kit named after people: "Parkinson's", "Apgar", "Glasgow Coma Scale". */
export const EPONYMS = words(`
parkinson parkinsons crohn crohns alzheimer alzheimers down downs hodgkin hodgkins apgar wells
glasgow bristol addison addisons cushing cushings huntington huntingtons tourette tourettes
asperger aspergers raynaud raynauds bell bells guillain barre hashimoto graves kawasaki
hirschsprung braden waterlow gillick fraser heimlich korotkoff trendelenburg foley guedel
yankauer doppler holter venturi baxter hartmann hartmanns whipple fontan fallot marfan
wernicke korsakoff creutzfeldt jakob bell's kaposi epstein barr lyme ebola legionnaires
news2 sbar abcde nightingale seacole cavell bevan attlee
`);

/** Famous people whose full names are not colleagues. */
export const FAMOUS_NAMES = [
  'florence nightingale',
  'nye bevan',
  'aneurin bevan',
  'mary seacole',
  'marie curie',
  'edith cavell',
  'clement attlee',
  'winston churchill',
  'king charles',
  'queen elizabeth',
  'prince william',
  'captain tom',
  'tom moore',
  'cicely saunders',
  'elizabeth garrett anderson',
];

/** Capitalised words that name places, groups or things, not people. */
export const PLACE_WORDS = words(`
london manchester liverpool birmingham leeds sheffield bristol newcastle sunderland glasgow
edinburgh cardiff swansea belfast dublin york hull leicester nottingham derby coventry
oxford cambridge preston blackpool bolton wigan warrington chester stockport oldham rochdale
bury salford southport wirral birkenhead everton anfield runcorn widnes crewe stoke lancaster
blackburn burnley halifax huddersfield bradford wakefield doncaster rotherham middlesbrough
plymouth exeter bath brighton southampton portsmouth norwich ipswich reading luton watford
kent essex surrey sussex devon cornwall yorkshire lancashire cheshire merseyside cumbria
wales scotland england ireland britain uk europe africa asia india pakistan poland nigeria
philippines ghana kenya zimbabwe romania spain portugal italy france germany america
north south east west northern southern eastern western midlands mersey thames
st saint street road lane avenue park
`);

/** Nationalities, religions and languages: capitalised adjectives, not names. */
export const DEMONYMS = words(`
polish scottish irish welsh english british scouse geordie muslim christian jewish hindu sikh
buddhist catholic filipino filipina indian pakistani nigerian ghanaian kenyan zimbabwean
african asian european romanian portuguese spanish italian french german american caribbean
chinese bengali bangladeshi urdu punjabi arabic somali eritrean turkish greek latvian
lithuanian bulgarian hungarian ukrainian russian australian canadian keralan malayali
halal kosher vegan vegetarian
`);

/** Ordinary words that are written capitalised in staff talk but are not names. */
export const ORDINARY_CAPITALISED = words(`
ward wards unit units wing block building house centre center suite lounge theatre theatres
trust hospital hospitals team teams band bands board exec executive director directors
department dept clinic clinics division directorate service services site sites bank agency
night nights day days shift shifts early late earlies lates weekend weekends bank holiday
hi hello dear thanks thank cheers please sorry yes no maybe also plus ps pps update edit
staff nurse nurses doctor doctors sister matron matrons consultant consultants manager managers
lead leads head chief deputy acting interim senior junior student students trainee
mental health safety patient patients family families public
emergency urgent acute medical surgical surgery medicine paediatrics maternity neonatal
outpatients inpatients pharmacy radiology pathology estates facilities security portering
occupational human resources hr experience infection prevention control quality governance finance
payroll procurement learning education development training wellbeing workforce research innovation
digital transformation operations communications comms chaplaincy volunteering catering stores transport
switchboard admissions discharge royal national general infirmary county district community university
college academy school side union staff-side recruitment retention pension pensions
`);

/** Words after a run of capitalised words that make the run a place or thing: "Nightingale Ward". */
export const PLACE_SUFFIXES = words(`
ward wards unit wing building block house centre center suite lounge garden gardens hall
theatre theatres clinic road street lane way avenue park hospital campus court square
programme program fund foundation award awards scale score chart criteria syndrome disease
disorder sign test manoeuvre protocol pathway day room library chapel cafe café restaurant
canteen shop store bar lodge cottage villa annex annexe tower entrance reception hub team
service office department group network forum committee board academy college school
university library society association council
`);

/** Common first names and short forms. Most are also on rosters; these catch the ones that are not. */
export const FIRST_NAMES = words(`
aaron abdul abigail adam adrian ahmed aidan aisha alan alex alexander alice alison amanda amy
andrea andrew andy angela anita ann anna anne annette anthony antonia ashley barbara barry becca
becky ben benjamin beth bethany beverley billy bob brenda brian bridget callum carl carly caroline
catherine charlotte chloe chris christine christopher claire clare colin craig dan daniel danielle
darren dave david dawn dean debbie deborah debra declan denise derek diane donna doreen dorothy
duncan eileen elaine eleanor elizabeth ellie emily emma eric fiona frances gary gavin gemma geoff
george georgia gill gillian graham hannah harriet harry heather helen ian imran jack jackie jacqueline
jacqui james jamie jan jane janet janice jason jay jayne jean jeff jen jenny jess jessica jill jim
jimmy joanne jo joe john jon jonathan josh julie karen kate katherine kath kathryn katie kay keith
kelly kelvin kevin kerry kim kirsty laura lauren lee leanne lesley lewis linda lindsay lisa liz
lorraine louise lucy luke lynn lynne mandy margaret maria marie martin mary matt matthew maureen
megan melanie michael michelle mick mike mo mohammed muhammad nadia natalie neil nicola nicole
nigel norma olivia paul paula pauline pete peter phil philip rachel rebecca richard rob robert
ryan sally samantha sandra sarah scott sean sharon shaun sheila shirley simon sophie stacey
stephen steve steven stuart sue susan suzanne tanya terry theresa tina tom tomasz tony tracey tracy
trish trisha valerie vicky victoria wayne wendy yvonne zoe priya raj rajesh sanjay sunita anil
deepa fatima ayesha aisha omar hassan ali yusuf tariq bilal kwame kofi ama chidi emeka ngozi
chinedu oluwaseun tunde segun funmi joseph jose maria piotr pawel agnieszka katarzyna marta
siobhan niamh aoife ciara sinead eoin liam conor ruairi dermot bernadette rhiannon bethan
dafydd gareth hywel cerys sian angharad
`);

/**
 * First names that are also ordinary English words: they count as names only with more
 * evidence (a surname or an initial after them, or a title before them).
 */
export const AMBIGUOUS_NAMES = words(`
grace will mark bill pat sue rob don dawn joy faith hope amber holly ivy hazel rowan jack
frank rose may june april august summer robin heather iris ruby pearl jade chase hunter art
carol guy nick drew miles max dean penny sandy rich ray bob jo mo kay jay lee jan jean jill
terry kelly kim lynn gill sally victoria beth ben page price hall hill wood king green white
black brown young long bell cook baker walker carter mason fox hunt lane moss best law hope
ward day rice lord sharp field fish stone marsh gray grey little park banks bishop booth
bush chance church clay cross dale dove duke earl fairweather forest gold hart hay hood
hurst knight love low major may mills nash noble pierce pope pound power reed rich rivers
salmon savage short small spring steel stewart storey sweet swift tanner thorn towers vale
wall well wells west wild wise woods wren york
`);

/** Nouns for a person or a post: what a singling-out description is built around. */
export const ROLE_NOUNS = words(`
matron nurse sister midwife hca hcsw hca's nursing associate practitioner anp acp
consultant registrar reg sho fy1 fy2 f1 f2 ct1 ct2 st3 spr houseman junior doctor doc
surgeon anaesthetist physician radiologist radiographer sonographer pharmacist technician
dietitian dietician physio physiotherapist ot therapist slt psychologist paramedic
porter domestic cleaner housekeeper receptionist clerk secretary administrator admin
coordinator co-ordinator supervisor manager director lead head guardian chaplain educator
trainer facilitator volunteer guard officer engineer electrician plumber chef cook caterer
driver scientist phlebotomist assistant deputy ceo exec executive chairman
chairwoman lady guy man woman bloke chap fella gentleman girl lad
`);

/** Words after a role noun that make it a role in general, not a person ("the guardian role"). */
export const GENERIC_ROLE_FOLLOWERS = words(
  `role roles post posts job jobs position positions team teams rota service`,
);

/** Role modifiers that mean "whoever is on duty", not one person ("the on-call reg"). */
export const ROTATING_MODIFIERS = words(`on-call oncall duty bleep-holder covering any whichever`);

/** Posts held by one person in an organisation: no further detail is needed to single them out. */
export const SINGLE_HOLDER_PATTERNS: readonly RegExp[] = [
  /\b(?:deputy |assistant |associate |interim |acting )?(?:medical|nursing|finance|operations|operating|hr|people|estates|clinical|divisional|managing|executive|site|care group) director\b/,
  /\b(?:deputy |assistant |associate |interim |acting )?director of [a-z&' -]{3,40}/,
  /\bchief (?:exec|executive|nurse|nursing officer|operating officer|medical officer|financial officer|pharmacist|people officer|information officer|scientist|midwife|allied health professional|ahp|of staff)\b/,
  /\b(?:deputy |assistant )?head of (?:the )?[a-z&' -]{3,40}/,
  /\b(?:clinical|divisional|governance|e-roster|eroster|rota|education|practice|safeguarding|infection control|lead)[a-z -]{0,20} lead for [a-z&' -]{2,40}/,
  /\bclinical lead for [a-z&' -]{2,40}/,
  /\b(?:ceo|chairman|chairwoman|chair of the board|trust chair)\b/,
];

/** Marks of a particular person after a role: "who started…", "with the pink hair", "the one who…". */
export const RELATIVE_MARKERS = words(`who who's whose who'd`);

/** Time and shift details that narrow a role to one person. */
export const SHIFT_WORDS = words(`
nights night earlies earlys lates days weekends weekend mornings evenings morning evening
afternoons weekday weekdays permanent fixed
`);

/** Nouns for an organisational unit: "the stroke unit", "the IT service desk", "the gastro rota". */
export const UNIT_NOUNS = words(`
ward unit wing department dept team division directorate desk office canteen kitchen rota list
clinic lab laboratory theatre theatres entrance lounge bay service hub firm practice site trust
maternity icu itu hdu ccu amu sdec ed a&e resus
`);

/** Abusive words (whole words). Kept small and unambiguous: "prick" and "cow" are clinical words too. */
export const ABUSIVE_WORDS = words(`
idiot idiots moron morons imbecile cretin retard retarded bitch bitches bastard bastards wanker
wankers twat twats dickhead dickheads arsehole arseholes asshole assholes shithead scumbag
scumbags cunt cunts slag slut whore fuck fucking fucker fuckers fucked motherfucker shit shite
bellend tosser tossers knobhead pillock numpty dumbass spastic psycho
`);
