use super::*;
use crate::advert::Field;

fn extract(text: &str) -> (Entities, String) {
    let scan = Scan::new(Field::Text, text);
    let lang = crate::detect::Detect::new().lang(text);
    let e = Extractor::new().extract(std::slice::from_ref(&scan), &MarketPay::bundled(), lang);
    (e, text.to_string())
}

fn evidence(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn latvian_phone_in_many_spellings_is_one_number() {
    for t in [
        "zvani 20 00 12 34",
        "zvani 20001 234",
        "Zvaniet +371 2000 1234",
        "tel. 20001234",
        "tālr. 20 001 234",
        "00371-2000-1234",
    ] {
        let (e, _) = extract(t);
        assert_eq!(e.phones.len(), 1, "{t}: {:?}", e.phones);
        assert_eq!(e.phones[0].value.value, "+37120001234", "{t}");
        assert_eq!(e.phones[0].value.country.as_deref(), Some("LV"));
    }
}

#[test]
fn foreign_phone_has_its_country() {
    let (e, t) = extract("WhatsApp +44 7700 900123 only");
    assert_eq!(e.phones[0].value.country.as_deref(), Some("GB"));
    assert_eq!(evidence(&t, e.phones[0].span), "+44 7700 900123");
}

#[test]
fn national_mobiles_of_destination_countries_are_phones_but_not_foreign() {
    for (text, value, country) in [
        ("phone no 0868877483", "+353868877483", "IE"),
        ("call 087 676 3844 after 6", "+353876763844", "IE"),
        ("text 07700 900123", "+447700900123", "GB"),
    ] {
        let (e, t) = extract(text);
        assert_eq!(e.phones.len(), 1, "{text}: {:?}", e.phones);
        let p = &e.phones[0];
        assert_eq!(p.value.value, value, "{text}");
        assert_eq!(p.value.country.as_deref(), Some(country), "{text}");
        assert!(p.value.national, "{text}");
        assert!(text.ends_with(evidence(&t, p.span)) || text.contains(evidence(&t, p.span)));
    }
    // Written with the calling code, the same number is foreign to a Latvian reader.
    let (e, _) = extract("+353 86 887 7483");
    assert!(!e.phones[0].value.national);
    // Order numbers and sums are not phones.
    for text in ["order 0123456789", "EUR 0868877", "ref 08688774831"] {
        let (e, _) = extract(text);
        assert!(e.phones.is_empty(), "{text}: {:?}", e.phones);
    }
}

#[test]
fn pay_range_is_not_a_phone() {
    let (e, _) = extract("alga 2000-2500 EUR mēnesī");
    assert!(e.phones.is_empty(), "{:?}", e.phones);
    assert_eq!(e.pay.len(), 1);
}

#[test]
fn registration_number_is_not_a_phone() {
    let (e, _) = extract("SIA \"Koks\", reģ. nr. 40103000001");
    assert_eq!(e.registration_numbers.len(), 1);
    assert!(e.phones.is_empty());
}

#[test]
fn emails_plain_and_spelled() {
    let (e, _) = extract("CV: darbs@koks.lv vai anna.k (at) gmail (dot) com");
    let values: Vec<_> = e
        .emails
        .iter()
        .map(|m| (m.value.value.as_str(), m.value.free_webmail))
        .collect();
    assert_eq!(
        values,
        vec![("darbs@koks.lv", false), ("anna.k@gmail.com", true)]
    );
    assert!(
        e.urls.iter().all(|u| u.value.host != "koks.lv"),
        "{:?}",
        e.urls
    );
}

#[test]
fn urls_and_employer_sites() {
    let (e, _) = extract("Vairāk: www.koks.lv/darbs un https://t.me/jobs_eu.");
    let hosts: Vec<_> = e
        .urls
        .iter()
        .map(|u| (u.value.host.as_str(), u.value.employer_site))
        .collect();
    assert_eq!(hosts, vec![("koks.lv", true), ("t.me", false)]);
}

#[test]
fn messenger_with_number_and_handle() {
    let (e, t) = extract("Rakstiet W h a t s A p p +44 7700 900123 vai Telegram @fastjob_eu");
    let apps: Vec<_> = e
        .messengers
        .iter()
        .map(|m| (m.value.app.as_str(), m.value.handle.clone()))
        .collect();
    assert_eq!(
        apps,
        vec![
            ("whatsapp", Some("+447700900123".to_string())),
            ("telegram", Some("@fastjob_eu".to_string()))
        ]
    );
    assert_eq!(evidence(&t, e.messengers[0].span), "W h a t s A p p");
}

#[test]
fn signal_the_word_is_not_a_messenger() {
    let (e, _) = extract("A strong signal of quality.");
    assert!(e.messengers.is_empty());
}

#[test]
fn age_ranges_need_context() {
    let (e, t) = extract("Meklējam meitenes 18-25 gadi darbam Vācijā");
    assert_eq!(
        e.ages[0].value,
        AgeRange {
            min: 18,
            max: Some(25)
        }
    );
    assert_eq!(evidence(&t, e.ages[0].span), "18-25 gadi");
    let (e, _) = extract("Darba laiks 8-17, atvaļinājums 28 dienas");
    assert!(e.ages.is_empty(), "{:?}", e.ages);
}

#[test]
fn minimum_ages() {
    for (t, min) in [
        ("Работа от 16 лет", 16),
        ("Jobs for 18+ only", 18),
        ("no 17 gadiem", 17),
    ] {
        let (e, _) = extract(t);
        assert_eq!(e.ages.first().map(|a| a.value.min), Some(min), "{t}");
    }
}

#[test]
fn gender_and_appearance() {
    let (e, _) = extract("Девушки с приятной внешностью, фото в полный рост");
    assert_eq!(
        e.single_gender().map(|g| g.value.gender),
        Some(Gender::Female)
    );
    assert_eq!(e.appearance.len(), 2, "{:?}", e.appearance);
    let (e, _) = extract("Aicinām sievietes un vīriešus");
    assert!(e.single_gender().is_none());
}

#[test]
fn word_lists_are_reduced_each_on_its_own() {
    // "красивые девушки" is an appearance phrase and holds the gender word "девушки": the lists
    // share one automaton, but neither hides the other's hit.
    let (e, t) = extract("Ищем красивые девушки для работы в Германии, пишите в Viber");
    assert_eq!(e.appearance.len(), 1, "{:?}", e.appearance);
    assert_eq!(evidence(&t, e.appearance[0].span), "красивые девушки");
    assert_eq!(e.genders.len(), 1, "{:?}", e.genders);
    assert_eq!(evidence(&t, e.genders[0].span), "девушки");
    assert_eq!(e.destinations.len(), 1, "{:?}", e.destinations);
    assert_eq!(e.messengers.len(), 1, "{:?}", e.messengers);
}

#[test]
fn destinations_in_three_languages() {
    let (e, _) = extract("Darbs Vācijā, работа в Германии, work in Germany; также в Лондоне");
    let countries: Vec<_> = e
        .destinations
        .iter()
        .map(|d| d.value.country.as_str())
        .collect();
    assert_eq!(countries, vec!["DE", "DE", "DE", "GB"]);
    assert!(e.abroad());
    let (e, _) = extract("Darbs Rīgā, Brīvības ielā");
    assert!(!e.abroad());
}

#[test]
fn employers_with_legal_forms() {
    let cases = [
        ("SIA \"Ziemeļu Maiznīca\" aicina", "sia", "Ziemeļu Maiznīca"),
        ("Nordic Foods Ltd is hiring", "ltd", "Nordic Foods"),
        ("ООО «Балт Логистик» ищет", "ооо", "Балт Логистик"),
        ("Strādā pie AS Latvijas Koks", "as", "Latvijas Koks"),
    ];
    for (t, form, name) in cases {
        let (e, _) = extract(t);
        let got: Vec<_> = e
            .employers
            .iter()
            .map(|m| (m.value.form.as_str(), m.value.name.as_str()))
            .collect();
        assert_eq!(got, vec![(form, name)], "{t}");
    }
}

#[test]
fn as_the_english_word_is_not_a_company() {
    let (e, _) = extract("Start as soon as possible as Packer");
    assert!(e.employers.is_empty(), "{:?}", e.employers);
}

#[test]
fn licence_numbers() {
    let (e, _) = extract("Licence Nr. 12-345, reģ. nr. 40003000002");
    assert_eq!(e.licence_numbers[0].value.value, "12-345");
    assert!(e.has_employer_identity());
}

#[test]
fn no_identity_without_company_facts() {
    let (e, _) = extract("Darbs Vācijā, zvaniet 20001234, rakstiet gmail: job.eu@gmail.com");
    assert!(!e.has_employer_identity());
}

#[test]
fn shift_hours_and_counts_are_not_ages() {
    for t in [
        "Работа посменно, с 14 до 22. Знание английского языка.",
        "darbs maiņās no 14 līdz 22, zvanīt 26123456",
        "Alga 15+ EUR/h. Darbs Vācijā.",
        "a team of 12+ people",
    ] {
        let (e, _) = extract(t);
        assert!(e.ages.is_empty(), "{t}: {:?}", e.ages);
    }
}

#[test]
fn dates_times_and_pay_ranges_are_not_phones() {
    for t in [
        "Sākums 25.06.2026",
        "maiņa 22.00-06.00",
        "alga 2000-2500 bruto",
        "EUR 2000-3000 mēnesī",
    ] {
        let (e, _) = extract(t);
        assert!(e.phones.is_empty(), "{t}: {:?}", e.phones);
    }
}

#[test]
fn ordinary_words_are_not_places() {
    for t in [
        "Viņš ir atsaucīgs kolēģis",
        "Знание английского языка",
        "Knowledge of German is an advantage",
        "Sveicam jaunos darbiniekus",
        "pragmatisks un koreкtный",
    ] {
        let (e, _) = extract(t);
        assert!(!e.abroad(), "{t}: {:?}", e.destinations);
    }
}

#[test]
fn shouted_as_is_not_a_company() {
    let (e, _) = extract("WORK AS A DRIVER IN GERMANY! CALL +49 1512 3456789, WHATSAPP ONLY.");
    assert!(e.employers.is_empty(), "{:?}", e.employers);
}

#[test]
fn a_sentence_without_a_space_is_not_a_url() {
    let (e, _) = extract("Good pay.No experience needed");
    assert!(e.urls.is_empty(), "{:?}", e.urls);
}

#[test]
fn messenger_handles_are_kept_as_written() {
    let (e, _) = extract("Telegram @job4you or t.me/l1nda_3");
    let handles: Vec<_> = e
        .messengers
        .iter()
        .filter_map(|m| m.value.handle.clone())
        .collect();
    assert_eq!(handles, vec!["@job4you".to_string(), "l1nda_3".to_string()]);
}

#[test]
fn more_destinations() {
    for t in [
        "Darbs Maltā",
        "работа в Ливане",
        "rabota v Pol'shu",
        "Jobs in Iceland",
    ] {
        let (e, _) = extract(t);
        assert!(e.abroad(), "{t}: {:?}", e.destinations);
    }
}

#[test]
fn english_words_are_not_latvian_place_names_without_diacritics() {
    // Folded, "rīg*" and "ķīn*" took in "right", "rigorous", "kind" and "kingdom".
    let (e, _) =
        extract("The right candidate is kind, rigorous and works across the United Kingdom.");
    let countries: Vec<&str> = e
        .destinations
        .iter()
        .map(|d| d.value.country.as_str())
        .collect();
    assert_eq!(countries, vec!["GB"], "{:?}", e.destinations);
    for (t, country) in [
        ("Darbs Rīgā", "LV"),
        ("darbs rigas centra", "LV"),
        ("Darbs Ķīnā", "CN"),
        ("strādāt kinā", "CN"),
    ] {
        let (e, _) = extract(t);
        assert!(
            e.destinations.iter().any(|d| d.value.country == country),
            "{t}: {:?}",
            e.destinations
        );
    }
}

#[test]
fn only_fields_with_a_legal_form_are_searched_for_companies() {
    use super::employer::may_name_company;
    for text in [
        "sia koks",
        "\"koks\" sia",
        "koks b.v. gent",
        "ооо ромашка",
        "x/as y",
    ] {
        assert!(may_name_company(text), "{text}");
    }
    for text in ["darbs riga, labs atalgojums", "xsia", "basic", "работа"] {
        assert!(!may_name_company(text), "{text}");
    }
}

#[test]
fn years_of_experience_and_pay_are_not_ages() {
    for text in [
        "Senior developer with over 15 years of experience in Java.",
        "15+ years experience in technical support management.",
        "Someone who has 15+ years management experience in technology.",
        "A total of 15+ years of Project Management experience.",
        "We have over 15 years of history implementing data solutions.",
        "Degree in computer science, 10-12+ years of progressive technology leadership experience.",
        "Pay $15-20 an hour, weekends off.",
        "Alga 18–21 EUR/час, grafiks 5/2.",
    ] {
        let (e, _) = extract(text);
        assert!(e.ages.is_empty(), "{text}: {:?}", e.ages);
    }
    let (e, _) = extract("Work in Germany for girls 18-25 years old.");
    assert_eq!(e.ages.len(), 1);
}

#[test]
fn yearly_salaries_are_yearly_and_small_sums_are_not_hourly_pay() {
    let (e, _) = extract("Call centre agent in Cork, salary EUR 26,000, training provided.");
    assert_eq!(e.pay[0].value.period, Some(crate::extract::Period::Year));
    let (e, _) = extract("Account manager, £45k plus bonus.");
    assert_eq!(e.pay[0].value.period, Some(crate::extract::Period::Year));
    let (e, _) = extract("Medical check 25 EUR, paid by the applicant.");
    assert_eq!(e.pay[0].value.period, None);
    let (e, _) = extract("Darbs Vācijā, alga 2500 EUR.");
    assert_eq!(e.pay[0].value.period, Some(crate::extract::Period::Month));
}

#[test]
fn australian_dollars_are_not_us_dollars() {
    for text in [
        "Engineer in Sydney, to AU$ 250k plus benefits.",
        "Engineer in Perth, A$120,000 a year.",
        "Engineer in Perth, 120 000 AUD a year.",
    ] {
        let (e, _) = extract(text);
        assert_eq!(e.pay.len(), 1, "{text}: {:?}", e.pay);
        assert_eq!(e.pay[0].value.currency, "aud", "{text}");
    }
    let (e, _) = extract("Driver, $20 an hour.");
    assert_eq!(e.pay[0].value.currency, "usd");
    for text in [
        "We need 400 auditors across the group.",
        "Two audits a year, 3 auditori.",
        "Report fraud 2024 to the police.",
    ] {
        let (e, _) = extract(text);
        assert!(e.pay.is_empty(), "{text}: {:?}", e.pay);
    }
}

#[test]
fn women_welcomed_in_an_equal_opportunity_statement_are_no_gender_demand() {
    for text in [
        "Care assistant in Dublin. We encourage diversity in our workforce including \
         Minorities, Women, Individuals with Disabilities and Protected Veterans.",
        "Apkopēja Rīgā. Mēs nodrošinām vienlīdzīgas iespējas, īpaši aicinām sievietes.",
        "Оператор в Риге. Мы за равные возможности, особенно ждём женщин.",
    ] {
        let (e, _) = extract(text);
        assert!(e.single_gender().is_none(), "{text}: {:?}", e.genders);
    }
    let (e, _) = extract("Men wanted for security work in Dubai, army veterans preferred.");
    assert_eq!(
        e.single_gender().map(|g| g.value.gender),
        Some(Gender::Male)
    );
    let (e, _) = extract("Girls wanted for work in Germany. We value diversity.");
    assert_eq!(
        e.single_gender().map(|g| g.value.gender),
        Some(Gender::Female)
    );
}

#[test]
fn an_attractive_salary_is_not_an_appearance_demand() {
    for text in [
        "Attractive salary and benefits package.",
        "Pievilcīgs atalgojums un sociālās garantijas.",
        "Привлекательные условия и зарплата.",
    ] {
        let (e, _) = extract(text);
        assert!(e.appearance.is_empty(), "{text}");
    }
    let (e, _) = extract("Hostess wanted, attractive girls only.");
    assert_eq!(e.appearance.len(), 1);
}

#[test]
fn an_age_beside_no_experience_is_still_an_age() {
    for text in [
        "Girls from 16 years, no experience needed.",
        "Работа для девушек от 16 лет, опыт не нужен.",
        "Darbs meitenēm no 16 gadiem, pieredze nav vajadzīga.",
        "Girls over 16 years old no experience needed.",
    ] {
        let (e, _) = extract(text);
        assert_eq!(e.ages.len(), 1, "{text}: {:?}", e.ages);
    }
}

#[test]
fn a_big_promise_without_a_salary_word_stays_monthly() {
    let (e, _) = extract("Earn 15 000 EUR! Work in Germany, no experience.");
    assert_eq!(e.pay[0].value.period, Some(crate::extract::Period::Month));
    let (e, _) = extract("Заработок от 15 000 евро, работа в Германии.");
    assert_eq!(e.pay[0].value.period, Some(crate::extract::Period::Month));
}

#[test]
fn companies_introduced_by_name_are_read_without_a_legal_form() {
    for (text, name) in [
        (
            "Mitel® (NASDAQ: MITL) is a global leader in business communications.",
            "Mitel",
        ),
        (
            "Giromax Technology is currently looking for an Administrative Assistant.",
            "Giromax Technology",
        ),
        (
            "At DynCorp International, we conduct business honestly.",
            "DynCorp International",
        ),
        ("Join the Entain team and grow with us.", "Entain"),
        ("Darba devējs: Rimi Latvia. Pārdevējs Rīgā.", "Rimi Latvia"),
        (
            "Rimi Latvia ir lielākais mazumtirdzniecības uzņēmums Latvijā.",
            "Rimi Latvia",
        ),
        ("Компания «Магнит» ищет продавцов в Москве.", "Магнит"),
        ("Работодатель: Озон. Кладовщик, график 5/2.", "Озон"),
        (
            "Education is not for everyone Spectrum Learning is made up of a team of consultants.",
            "Spectrum Learning",
        ),
        (
            "Novitex Enterprise Solutions delivers document management to companies.",
            "Novitex Enterprise Solutions",
        ),
        (
            "Capoo provide talent consultancy for digital companies.",
            "Capoo",
        ),
        (
            "Zylun Pensions is a UK based multi-employer trust.",
            "Zylun Pensions",
        ),
        // Wide spaces before the verb (a no-break space is two bytes).
        (
            "Acme\u{a0}Foods is hiring now. We\u{a0}are a team.",
            "Acme\u{a0}Foods",
        ),
    ] {
        let (e, t) = extract(text);
        assert_eq!(e.companies.len(), 1, "{text}: {:?}", e.companies);
        assert_eq!(e.companies[0].value.name, name, "{text}");
        assert_eq!(evidence(&t, e.companies[0].span), name, "{text}");
        assert!(e.has_employer_identity(), "{text}");
    }
}

#[test]
fn sentence_starters_and_job_words_are_no_company_names() {
    for text in [
        "This is a great opportunity for a warehouse operative.",
        "We are looking for girls for work abroad, call 29123456.",
        "Our company is a leading agency, write on WhatsApp.",
        "Day Shift We are hiring now.",
        "The Role is a full-time position.",
        "Мы — крупная компания, пишите в Телеграм.",
        "Компания ищет девушек для работы за границей.",
        "Mēs esam liels uzņēmums, zvani 29123456.",
        "looking for staff. all lower case is a company of nobody",
        "Looking for\u{a0}\u{a0}work? We are looking for a person to join our team.",
        "Work abroad, our Partner Network helps with documents, call 29123456.",
        "Great pay, and Golden Harvest provides a start.",
        "Work in Germany. Employer provides accommodation, call 29123456.",
        "Work in Germany. Recruiter helps with the papers, write on WhatsApp.",
    ] {
        let (e, _) = extract(text);
        assert!(e.companies.is_empty(), "{text}: {:?}", e.companies);
        assert!(!e.has_employer_identity(), "{text}");
    }
}

#[test]
fn gender_and_appearance_words_count_only_in_their_language() {
    // Folding makes "mēn." (month) and the Latvian "man" (to me) look like English words.
    for text in [
        "Noliktavas darbinieks Rīgā, alga 1200 EUR/mēn., zvaniet 29123456.",
        "Man vajag palīgu veikalā, zvani 29123456.",
        "Alga 900 eur/men, darbs Rīgā, raksti.",
    ] {
        let (e, _) = extract(text);
        assert!(e.genders.is_empty(), "{text}: {:?}", e.genders);
    }
    for (text, gender) in [
        ("Men wanted for warehouse work in Riga.", Gender::Male),
        ("Meklējam vīriešus darbam noliktavā.", Gender::Male),
        ("Ищем девушек для работы в клубе.", Gender::Female),
    ] {
        let (e, _) = extract(text);
        assert_eq!(e.genders.len(), 1, "{text}: {:?}", e.genders);
        assert_eq!(e.genders[0].value.gender, gender, "{text}");
    }
    let (e, _) = extract("Slim girls wanted for hostess work.");
    assert_eq!(e.appearance.len(), 1);
    let (e, _) = extract("Vasarai vajag viesmīles, meitenes ar labu figūru 18-24g.");
    assert_eq!(e.appearance.len(), 1, "{:?}", e.appearance);
    assert_eq!(e.ages.len(), 1, "{:?}", e.ages);
    assert_eq!(e.ages[0].value.max, Some(24));
    // A number written into a longer one is no age ("240g").
    let (e, _) = extract("Meitenes 18-240g miltu.");
    assert!(e.ages.is_empty(), "{:?}", e.ages);
}

#[test]
fn tg_is_telegram_after_a_verb_of_writing_or_with_a_handle() {
    for t in [
        "Работа в Польше, пиши в тг @rabota_pl",
        "Работа на складе, пишите в ТГ",
        "Пиши +371 2000 9914 (только тг)",
        "Darbs Vācijā, raksti TG",
        "Darbs Norvēģijā, TG: @darbs_no",
        "Job in the Netherlands, message me on TG",
        "Контакты: ТГ: +371 2000 9914",
    ] {
        let (e, _) = extract(t);
        let apps: Vec<_> = e.messengers.iter().map(|m| m.value.app.as_str()).collect();
        assert_eq!(apps, vec!["telegram"], "{t}");
    }
}

#[test]
fn tg_alone_is_not_a_messenger() {
    for t in [
        "Зарплата 300 000 тг, тел. +7 701 123 4567",
        "Analizes: TSH, TG un T4 līmenis, rezultāti 2 dienās.",
        "Part TG 4410, in stock.",
    ] {
        let (e, _) = extract(t);
        assert!(e.messengers.is_empty(), "{t}: {:?}", e.messengers);
    }
}
