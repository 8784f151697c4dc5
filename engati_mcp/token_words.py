"""The pieces whose o200k_base count is known exactly: the tables `tokens` reads.

Data, kept apart from the counting so each can be read on its own. Every count here is checked
against the real o200k_base by tests/test_tokens.py.
"""

from __future__ import annotations

# -- Pieces whose o200k count is known exactly (tests/test_tokens.py checks every one) ------------
# Words of support chats, then the commonest words of each language (from the `wordfreq` package's
# lists), grouped by the o200k costs of their forms: " word", "word", " Word", "Word" for English,
# Spanish and Portuguese; " word", "word" for Hindi, Arabic and Japanese.
LATIN_WORDS = {
    "1111": (
        "hi hello hey thanks thank ok okay yes no please sorry help order orders ordered refund cancel "
        "delivery deliver shipping ship track tracking status agent human support customer service option "
        "options menu account login password email phone number address payment paid pay charge invoice bill "
        "receipt subscription plan premium upgrade price cost discount coupon code return exchange replace "
        "replacement broken wrong missing late delay received receive package parcel item product store today "
        "lol bye welcome choose quick reply talk chat call issue problem ticket update app error working "
        "check card cash wallet bank don't can't it's that's you're channel channels history message messages "
        "tokens token conversation session sessions timestamp sender response attributes user users bot next "
        "max start end date total count counts role roles id jan feb mar apr may jun jul aug sep oct nov dec "
        "mon wed thu fri sat sun hidden often line break data instructions listed lead dates view full page "
        "flight booking the to and of a in i is for that you it on with this was be as are have at he not by "
        "but from my or we an your all so his they me if one can will just like about up out what has when "
        "more do were who had their there her which time get been would she new people how some also them now "
        "other its our than good only after first into know see two make over think any then could back these "
        "us want because go well way most much very where even should here need really did right work year "
        "years being day too going before off why made still take got many never those life say world down "
        "great through last s while best such love man home long look something use same used both every am "
        "come part state three around between always better find high little old since another does own "
        "things under during game thing give house place school again each mr without against found must show "
        "big feel sure team ever family keep put money free second someone away left city days lot name night "
        "play until company doing few let real called different having set thought done however getting god "
        "government group looking public top women business care system times week already anything case "
        "nothing person change everything live making point read yet bad four hard mean once tell including "
        "music power seen states stop water based head men national small white far job side though try went "
        "actually american later less party run country open season children everyone general trying using "
        "area black d following law makes war whole car face five kind maybe per story course games health "
        "hope important least means news within able book early friends information local oh post t video "
        "young ago others social court fact given half hand level mind single body coming control death food "
        "hours office south true almost fuck known large lost m research room started taking win along else "
        "girl john matter pretty remember air bit friend hit needs nice playing probably yeah class close "
        "idea international looks past possible wanted b cause due happy members months move question r "
        "series wait woman ask community leave north special watch c either future light low million short "
        "stay taken age buy deal rather reason red report soon third turn whether among development form "
        "heart minutes services act although asked child fire fun living major media players art behind "
        "building easy market near non quite six west works according available e education final former "
        "front kids list ready sometimes son street bring college current example experience meet program "
        "type baby chance father march process song study word action clear gets month outside self students "
        "words board cut dr field held instead main moment mother road thinking town de department energy "
        "fight fine force hear played points re rest results running shows space summer term america "
        "beautiful land miss project sex shot site strong co especially eyes include parents period position "
        "record similar w above club common film perfect personal security share st tv won x center county "
        "dead english hold industry inside issues online player private rights sense star test weeks "
        "companies event higher hour l member middle needed present result training wish answer boy design "
        "finally girls gold gone guess interest king learn policy added al average certain church east hands "
        "hot medical movie original park performance press sent worked worth areas books cool director giving "
        "ground meeting n provide questions relationship sound source usually value follow official "
        "production rate reading round save stand stuff tax whatever amount blue countries drive eat fall "
        "fast green league management match model p picture size step trust central changes forward groups "
        "key mom o range review science trade uk upon attention cannot character chief cup football led lower "
        "natural property quality send style u vote blood china complete dog economic hell language lord oil "
        "related stage terms title add article attack born decision kill met perhaps poor release technology "
        "website written choice continue cover currently door events f financial foreign hair increase legal "
        "lose pick race seven sign simple staff super union walk bed built career changed daily die figure "
        "hospital loss modern paper parts popular published safe starting systems version voice writing army "
        "earth forget goal h internet listen practice rules sea sir success v waiting ways access base below "
        "created deep la mark offer pass professional released risk schools sleep table ten truth ball box "
        "build cases dark district india mine minister note percent piece products recent seeing straight "
        "visit wall allowed culture fans growth included pain places respect hola pedido producto cómo qué "
        "favor por vale precio estado que el en y los un se es del las con una para lo su como más si pero te "
        "mi le este sus esta todo ya ha cuando yo ser sin hay tu muy sobre todos eso nos porque dos bien "
        "entre desde hasta era esto ni parte solo algo uno tan ver vida ese han cada va les mas otro otros "
        "otra gran antes aunque contra soy estos forma nuevo ella estas sí dice voy mis ir tipo tal mal "
        "primer nombre ley da grupo persona fin sé vamos van ante dar san ti hora tras tema nivel uso foto "
        "mil datos mes orden lista web empresa especial zona cara os ve capital vos nota produto quando onde "
        "qual bom dia em é não um uma com na eu mais ao tem das ou à ele isso já ela vai bem até ter quem sem "
        "nas assim vou esse tempo essa eles há ano sou nem cidade quer novo pra dias sim nome boa rio nova "
        "quanto num pai pois lei logo sob ex twitter vi rede dados uns campo"
    ),
    "1222": (
        "refunds shipped damaged arrive arrived timings asap won't wouldn't wasn't hasn't omitted fucking "
        "gonna died knew happen brought looked involved itself decided considered seem began knows followed "
        "wrote contraseña tarjeta agente ayuda problema tienda cuándo quiero puedo todavía perfecto días "
        "noches teléfono descuento cambiar devolver paquete seguimiento hablar donde mucho mismo están gente "
        "cosas había hecho decir sido estaba tienen quien momento pueden verdad nadie veces cual dijo acuerdo "
        "cualquier manera fuera hacia casi hizo noche pasado quiere ahí cosa aún misma tenía esos alguna "
        "embargo gusta importante pasa tienes dinero ejemplo millones siendo falta hombres nuestros muerte "
        "problemas tarde meses podría realidad algún dicho cuatro hijo varios niños sería hacen posible "
        "cierto razón sabe amigo mayoría visto único cuerpo último haya palabras pasar situación siguiente "
        "veo dejar sentido cuanto estás hijos realmente demás dicen medios viene digo sitio tomar tuvo ojos "
        "pensar quieren respecto siento vivir casos quienes relación sabes suerte varias estaban fuerte habla "
        "miedo minutos apoyo dado deja endereço cartão boleto ajuda horário ontem preciso posso noite "
        "desconto trocar troca falar estão coisa suas tão maior qualquer coisas tinha estava três ficar mãe "
        "podem duas primeira dizer outras fez ninguém verdade vocês aí volta pelos jogo têm meus quase vídeo "
        "vão disso numa dinheiro queria seria mesma morte precisa sair dela partir alguma comigo deixar havia "
        "vários certo exemplo causa aquele deste fosse milhões população quatro deu nossos fui tenha várias "
        "algum início medo passar deles pelas chegar desse informações muita ponto possível quais quiser "
        "começou gosto homens última força passado demais eram manhã nenhum olha povo falando pontos atrás "
        "deixa mês pessoal entanto mão melhores minhas passa voltar fato filhos longo passou sinto acesso "
        "aquela coração estavam nenhuma viu"
    ),
    "1211": (
        "cancellation delivered courier tomorrow yesterday sunday monday friday saturday morning hmm replies "
        "complaint i'm i've i'll i'd didn't couldn't what's you've we're they're there's let's tue he's "
        "enough believe united together president guys become guy several university anyone understand york "
        "saw police further political talking london she's across seems you'll june military april problems "
        "british july exactly september evidence lives david federal feeling england various brother james "
        "october amazing august november enjoy entire french january situation election michael simply "
        "washington crazy december huge towards europe george we've officer paul gracias cuenta pago hoy "
        "tengo número está fue también tiene así puede ahora hace nada tiempo siempre después estoy nunca "
        "trabajo durante lugar creo todas casa aquí toda tres caso bueno ciudad nuestro luego nuestra pues "
        "historia mientras nueva entonces mayor además muchas según será sistema tenemos tus dentro estamos "
        "buen equipo información semana claro estados centro puedes cambio seguro argentina juego paso "
        "proyecto somos grande madrid programa segundo servicio libro clase servicios libre fotos espero "
        "conta fiscal hoje tenho ainda compra foi você seu sua são muito também meu só mesmo pode tudo aqui "
        "minha agora depois brasil sempre então nossa estou nós outro além após enquanto outra pessoa projeto "
        "sul área embora neste livro existe apesar nesse rua veja portugal"
    ),
    "1212": (
        "evening doesn't isn't conversations narrow told took says saying myself yourself wants goes couple "
        "society longer tried serious damn difficult wanna gives married dirección mejor mundo año personas "
        "tanto poco país nacional parece poder primera muchos algunos dios partido bajo sino hombre buena "
        "nosotros presidente familia podemos pueblo política punto guerra saber algunas madre derecho grandes "
        "amigos tú frente primero desarrollo sociedad hemos sigue unidos cerca padre seguridad tierra "
        "universidad internacional educación cinco derechos largo trata camino paz salud calle línea sociales "
        "allí atención escuela julio luz cultura debido fácil música loja quero pelo pessoas fazer seus "
        "melhor foram aos apenas dois mim outros deus trabalho seja primeiro sendo diz alguns disse nosso "
        "deve história meio mulher família algumas filho homem água direito muitos dá escola muitas região "
        "temos filme geral segurança série mulheres feira polícia processo corpo desta dessa norte "
        "universidade feliz porém saúde papel talvez forte outubro sociedade educação fiz março junho senhor"
    ),
    "1122": (
        "charged pls shit gave likely turned whose lunes martes miércoles jueves viernes sábado ayer años "
        "hacer vez menos ellos estar otras unos eres lado través eran esas mí unas seguir ello puesto junto "
        "queda obra poner iba terça quarta anos às vem dele teve fica lhe feito usar fala produção"
    ),
    "1112": (
        "fell said him might came comes heard wife takes alone felt hate daughter ones boys etc domingo día "
        "esa tener él medio haber agua igual amor vas mano usted alto segunda dio rey quinta pela sei faz lá "
        "acho fora esses elas essas terra isto estes pena"
    ),
    "1221": (
        "tapped cancelled canceled delayed killed pedidos cancelar entrega factura horario dónde cuál debe horas "
        "artículo quién salir proceso quieres pregunta pagamento preço equipe"
    ),
    "1223": "aren't haven't became ningún ninguna amanhã fazendo ficou relação atenção maneira fazem",
    "1333": "themselves tardes devolución alguien debería población difícil demasiado chegou alguém aconteceu",
    "1233": "envío mañana haciendo mierda pueda assinatura vezes acordo ajudar acabou certeza",
    "1322": "necesito llegó llegado llegar cabeza obrigada pouco através cabeça maioria encontrar",
    "1121": "shown utc msgs quoted fallback correo oi senha telefone fim",
    "1323": "happened fueron países diferentes mejores bastante fuerza crianças poderia próprio",
    "1313": "mujer mujeres señor público español policía brasileiro brasileira desenvolvimento futebol",
    "2222": "plz thx reembolso suscripción atendente valeu defeito frete merda",
    "2211": "tuesday wednesday thursday february",
    "1311": "council european australia buenos",
    "1312": "sólo gobierno incluso janeiro",
    "1213": "himself mundial governo",
    "2233": "envíos dañado",
    "1321": "buenas obrigado",
    "2212": "méxico paulo",
    "2311": "españa",
    "2111": "juan",
    "2221": "olá",
    "1123": "sexta",
    "2333": "devolução",
}
SCRIPT_WORDS = {
    "12": (
        "कब कहाँ कैसे क्यों मेरा मेरी मेरे मुझे आपका आपकी जल्दी नंबर पता करना करें करो हुआ गया गई आया नहीं "
        "ठीक बात समय है हैं किया करने रहे साथ रहा कोई दिया थी बाद वो वह करते रही बहुत होता अपनी वाले सरकार "
        "हुए फिर जाता नही लोग पहले कहा गए सभी कभी तरह होने उनके कई करता होती उसके रूप मोदी सबसे आपको साल उसे "
        "जाने लिया अपना हूँ ऐसे एवं हमारे आपके ऐसा तुम बारे वाली जीवन दिल्ली अधिक उनकी भारतीय होते जाती जाते "
        "इसे कारण अभी लगा भाई वाला बना बीच देने दोनों तथा तब लेकर आगे ओर श्री इसका धर्म फिल्म इसी उसकी "
        "कांग्रेस खुद बन सही कौन जाए पूरी हमें अलग करके केवल पानी यहाँ यही बड़ी माँ मिल गयी मैंने राज्य लिये "
        "अन्य करे बड़ा बड़े देते हमारी उनका जाना यहां लगता तीन प्यार रात हूं करती क्षेत्र याद हाथ उसने महिला "
        "आने इतना इसलिए जानकारी परिवार पूरा बिना होना ऐसी करेंगे प्राप्त बंद बाहर अनुसार इसमें दूर व्यक्ति "
        "उसका भगवान वर्ष लगे समझ समाज पिता प्रकार बता आम दें देखा देना पूरे देता वही शहर कह जनता मिला मौत "
        "सुबह किए गये तरफ तू मंत्री इसकी बिहार लाख सेवा हमारा जारी जिसमें पहली आदि करोड़ कहीं काफी टीम दिए "
        "मीडिया रखा शब्द हमेशा आता जिसे माता रह आए किस प्रति रंग लेने सारे हमने ऊपर चला जन्म जबकि जहाँ सेना "
        "आपने इससे उसी ध्यान प्रयोग वालों इतनी छोड़ जहां जिसके मिले नेता सरकारी नीचे मुख्यमंत्री आती युद्ध "
        "सोच खेल बने मुख्य स्कूल आते कुमार मगर लगी सवाल चीन जिला जिससे देखने बोल मतलब लेते सके खान दर्द नया "
        "प्रेम बजे मां होकर राजस्थान लगभग लाल शायद सच किये देंगे माना विशेष वैसे नए बीजेपी हालांकि इतिहास "
        "गांव जिले पत्नी बताया योजना वजह शादी सारी थीं बदल बैंक मांग الطلب الدفع بطاقة حساب كلمة خدمة أين "
        "لماذا نعم اليوم أمس الأحد رقم رسالة إلى التي أو الذي أيضا حيث خلال عليه وهو بعض علي يوم أكثر الناس "
        "أنت شيء فيه فيها منذ إلا الذين العالم يكون أحد عندما فقط الآن بها بشكل أخرى تلك هنا عند العام لها "
        "بأن تكون تحت وهي العربية العمل الوقت جدا جميع أجل الأول فإن أنها الحياة بما واحد يتم بسبب دون مصر "
        "منها يجب شخص الكثير الأمر مما والتي عبر فقد يقول الثاني العديد عليك الأولى لنا أكبر أول رئيس لهم "
        "موقع واحدة الرئيس سنة لما مجموعة ضد عنه كبير وذلك وعلى الدولة الدين بك طريق الأرض لأن منه نحن وما "
        "يعني المدينة بدون عشر نفس أم الخاصة جديد الحكومة العربي ولم سنوات مجلس الحرب حالة عاما علينا كبيرة "
        "منهم العامة وهذا إنه ابن بينما جديدة يوجد الملك الولايات فيما لكل منطقة الاتحاد فيديو مليون يكن إليه "
        "لدى والذي اليمن خاصة الجديد النار تقول صلى كانوا هؤلاء أمام العراق بكل لذلك لهذا نظام أبو إيران "
        "النظام فوق وأن أثناء الأخرى سوف ليست استخدام لكم مركز نهاية الثانية الكتاب الماضي المملكة عمر كذلك "
        "وسلم أبي الجديدة الخاص الموقع رجل وأنا الفيلم سوريا فيلم وبعد ألف أمر الدول الشرطة بأنه بواسطة خارج "
        "نحو يبدو الأطفال العرب المرأة تقوم شهر صورة ماذا منك أصبح الشعب القانون بدأت لمدة يقوم أيام الجميع "
        "الدولي بناء حسن دولة صحيح فترة مارس وليس أنهم الان تاريخ تعمل ثلاث ربما ساعة عنها إذ البعض الحصول "
        "معه وضع السنة اللغة باسم فريق وزير أقل إحدى الأمن الرغم العمر الكويت المزيد النساء الواقع تماما سبيل "
        "مجال يحدث يعمل إدارة السياسية الشباب المعلومات بلا جنوب فعل الرجل بداية حياة صباح لأنه ومع أكتوبر "
        "الحق السابق الموت بهذه دور رجال رغم سيكون صغيرة فبراير وكانت يعرف الإسلام التعليم السيد العلاقات "
        "بذلك بهذا حركة حزب عالم قناة لبنان يعد إسرائيل الحكم تعلم حاليا دول فلا قائمة قالت معظم وهم يمكنك "
        "يونيو الأعمال التاريخ المغرب جاء رسول قوات كثير مشروع يناير آل أعضاء الثالث الدفاع جزء فكرة قصة مجرد "
        "مختلف نتيجة وكذلك الآخر النبي تعرف مايو"
    ),
    "11": (
        "क्या आज कल दिन के में की से और को का पर भी एक तो ने कर ही हो लिए कि इस था यह जो ये आप अपने अब कुछ थे "
        "तक भारत हम या न जब जी लेकिन मैं जा नाम देश हर दो काम ना बार अगर दे आ इन इसके घर दी उन्होंने उस कम मे "
        "व वे सब प्रदेश ले पास बस दिल पे जय उत्तर जिस देख मन राम चल उन पूर्व ए सी कार्य भर यदि आई जान चार मत "
        "लो हे राष्ट्रीय ली द लग विश्व सा ज्ञान भाग मै स्थान नई मार स्थिति السلام طلب عنوان كيف هل من لا وصل "
        "في على أن و ما عن هذا مع كل هذه هو كان ذلك بعد الله لم بين ان كانت يا حتى قبل قد هي إن كما أي أنه "
        "غير تم إذا فى له مثل محمد هناك لك عام لي ولا ثم بن يمكن به ولكن الى لكن وفي قال ومن وقد لو عدد ليس "
        "كنت انا أنا عبد حول ب آخر لن مدينة مرة عمل بل هم ل او لقد أفضل حين وقت وكان أما اذا انت وجود بي شركة "
        "قام انه ذات عدة ال داخل عدم عملية صور مكان وزارة م ضمن اي ولد حال كتب بدأ برنامج كم حد حق قتل اسم "
        "ذكر حسب كتاب نوع حدث علم طريقة وسط جامعة الي عرض زيادة دي قسم سبب"
    ),
    "13": (
        "धन्यवाद पैसे वापस चाहिए भुगतान दुकान किसी सकता होगा हुई द्वारा जैसे लोगों सकते उन्हें ज्यादा सिंह "
        "सिर्फ दुनिया विकास चुनाव कहते होगी पुलिस शुरू पार्टी क्योंकि मंदिर भाषा सामने अच्छा पाकिस्तान जाएगा "
        "शामिल जगह दौरान खिलाफ दूसरे बनाने सकती गांधी भाजपा शिक्षा उपयोग आदमी चाहते इस्तेमाल प्रधानमंत्री "
        "बच्चे बच्चों राहुल होंगे कहना हिन्दी अच्छे रहते हिंदी अच्छी अलावा लड़की विभाग पीछे बनाया छोटे तैयार "
        "विचार आधार कहानी कोशिश रहता लिखा अमेरिका शरीर अध्यक्ष विधानसभा वहां निर्माण यादव रहने जैसा यात्रा "
        "सुरक्षा जाएगी पसंद व्यवस्था कंपनी कितना जवाब عليكم المرور العملاء المنتج الجمعة السبت المتحدة "
        "السعودية عليها الإنسان نفسه أحمد المنطقة دولار بالنسبة دائما العالمية الجيش ثلاثة كثيرا الشيخ الوطني "
        "المسلمين عليهم الدولية بالإضافة البلاد الرجال الوطنية المجتمع الإسلامية الأخيرة الطريق مختلفة نفسك "
        "الساعة أصبحت مباشرة السعودي الخارجية أشهر المناطق مباراة"
    ),
    "22": (
        "रद्द हां खाता तेरे तेरी बाप مرحبا شكرا شكراً طلبي طلبك إلغاء فاتورة متى أريد أحتاج يمكنني فضلك غدا "
        "تأكيد شحن تالف شيئا يوما وأنت انظر انك كنا تقريبا"
    ),
    "23": "शुक्रिया कहां बदलना एजेंट हिन्दू साहब توصيل موظف المتجر حسنا تويتر",
    "21": "हाँ はい こんにちは こんばんは ありがとう ありがとうございます ありがとうございました です ます",
    "33": "ऑर्डर रिफंड डिलीवरी पासवर्ड استرداد أموالي التوصيل 大丈夫です",
    "32": "いいえ 了解です よろしくお願いします どうも",
}

SYMBOLS = {  # costs of " p" and "p"
    "11": (
        '? ! . , : ; × "[ ... .. !! ?? ??? !!! - -- – — … ( ) [ ] { } " \' ` / | \\ @ # & + * % $ = < > ~ ^ _ :) :( ;) '
        '(: ): ). ), ?) !) ," ." ?" !" ", \'. \', ¶ ’ ‘ “ ” « » ¿ ¡ ₹ € £ ¥ • · ° ™ © ® → ← ✓ ✔ ✅ ⭐ ❤ ❤️ 。 '
        '、 ， ： 「 」 『 （ ） ～ ・ ؟ ، ؛ । 😀 😂 😊 🙂 😉 👍 {" ": "} }, }] [{ "] ], ":" =" (" ")'
    ),
    "22": (
        "?!? ❌ 😃 😄 😆 😅 😇 😋 😎 🤔 🤗 🙄 😏 😒 😞 😔 😟 😕 🙁 😣 😖 😫 😩 😢 😤 😠 😡 🤬 😱 😨 😰 😥 😓 🤝 👎 "
        "🙌 💪 👋 ✋ 🤞 💯 🎉 🎊 💔 💖 💙 💚 💛 💜 🤍 ⚡ 🌟 😐 😑 😶 🤐 😬 🤦 🤷 👀 📦 🚚 💰 💳 📞 📱 🤖 👍👍 😂😂 "
        '😊😊 👍🏻 👍🏼 ":{ [×'
    ),
    "21": '?! !? .) :// ]: ]" ☺ ✨ ？ ！ ； 』 😁 🤣 😍 😘 😭 👌 👏 🙏 🔥 💕 ":[',
    "33": "✌️ 🧡 🖤 ☹️ ⏰ 🛒 👍👍👍 😂😂😂 😊😊😊 👍🏽 👍🏾 👍🏿 👋🏻 👋🏼 💪🏻 💪🏼",
    "32": "☺️ 🥰 🥺 🙏🙏 😍😍 🔥🔥 😭😭 👏👏 🤣🤣 🙏🏻 🙏🏼 👌🏻 👌🏼 👏🏻 👏🏼",
    "44": "🇮🇳 🇧🇷 🇪🇸 🇵🇹 🇺🇸 🇬🇧 🇦🇪 🇸🇦 🇯🇵 👋🏽 👋🏾 👋🏿 💪🏽 💪🏾 💪🏿",
    "43": "🙏🙏🙏 😍😍😍 🔥🔥🔥 😭😭😭 👏👏👏 🤣🤣🤣 🙏🏽 🙏🏾 🙏🏿 👌🏽 👌🏾 👌🏿 👏🏽 👏🏾 👏🏿",
    "12": ":-)",
}

SNAKE_CASE = (  # "_" and these words: one token each, as in JSON keys and identifiers ("channel_user_id")
    "id ids user users name names date time timestamp tokens token call role roles by count counts page size "
    "number type at url key value values list data text start end next max min total message messages history "
    "chat channel channels session sessions bot agent email phone status code error result results query limit "
    "offset from to first last sender response attributes detail details info created updated ms sec per in of "
    "on for is has get set"
)
